"""Train the drug-classification model of the runnel example project.

Reads data/drug200.csv (make demo copies it there from the shared dataset), fits a seeded
scikit-learn pipeline on a stratified 70/30 split, and writes:
  model/drug_pipeline.joblib   the fitted pipeline
  results/predictions.csv      y_true,y_pred for every test row (input to `runnel report`)
Everything is seeded, so two runs on the same data write the same files.
"""

import argparse
import os

import joblib
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder, StandardScaler

SEED = 125
CATEGORICAL = ["Sex", "BP", "Cholesterol"]
NUMERIC = ["Age", "Na_to_K"]


def build_pipeline():
    transform = ColumnTransformer(
        [
            ("cat", OrdinalEncoder(), CATEGORICAL),
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                              ("scale", StandardScaler())]), NUMERIC),
        ]
    )
    model = RandomForestClassifier(n_estimators=10, random_state=SEED)
    return Pipeline([("preprocess", transform), ("model", model)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/drug200.csv")
    parser.add_argument("--model-dir", default="model")
    parser.add_argument("--results-dir", default="results")
    args = parser.parse_args()

    data = pd.read_csv(args.data)
    x = data.drop(columns=["Drug"])
    y = data["Drug"]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=SEED, stratify=y
    )
    pipeline = build_pipeline()
    pipeline.fit(x_train, y_train)
    predicted = pipeline.predict(x_test)

    os.makedirs(args.model_dir, exist_ok=True)
    os.makedirs(args.results_dir, exist_ok=True)
    joblib.dump(pipeline, os.path.join(args.model_dir, "drug_pipeline.joblib"))
    pd.DataFrame({"y_true": y_test.to_numpy(), "y_pred": predicted}).to_csv(
        os.path.join(args.results_dir, "predictions.csv"), index=False
    )
    print(f"accuracy {accuracy_score(y_test, predicted):.4f}, "
          f"macro F1 {f1_score(y_test, predicted, average='macro'):.4f} "
          f"on {len(y_test)} test rows")


if __name__ == "__main__":
    main()
