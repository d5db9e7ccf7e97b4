"""Training script in the shape of the usual tutorial (metrics.txt with a leading newline and no
trailing one, a confusion-matrix image, the model file), on a small synthetic dataset so the
test needs no download. The image is a tiny PNG written without matplotlib."""
import os
import struct
import zlib

import joblib
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

x, y = make_classification(n_samples=200, n_features=5, n_informative=3, n_classes=3,
                           random_state=125)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=125)
model = RandomForestClassifier(n_estimators=10, random_state=125).fit(x_train, y_train)
pred = model.predict(x_test)
accuracy = round(accuracy_score(y_test, pred), 2)
f1 = round(f1_score(y_test, pred, average="macro"), 2)
print(f"Accuracy: {accuracy}, F1: {f1}")

os.makedirs("Results", exist_ok=True)
os.makedirs("Model", exist_ok=True)
with open("Results/metrics.txt", "w") as f:
    f.write(f"\nAccuracy = {accuracy}, F1 Score = {f1}")


def png(path, w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


png("Results/model_results.png", 4, 4, (30, 90, 200))
joblib.dump(model, "Model/drug_pipeline.joblib")
