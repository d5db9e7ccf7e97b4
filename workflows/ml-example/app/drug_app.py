"""Gradio front end for the drug-classification model (the Space's app_file)."""

import gradio as gr
import joblib
import pandas as pd

PIPELINE = joblib.load("model/drug_pipeline.joblib")


def predict(age, sex, blood_pressure, cholesterol, na_to_k_ratio):
    row = pd.DataFrame(
        [[age, sex, blood_pressure, cholesterol, na_to_k_ratio]],
        columns=["Age", "Sex", "BP", "Cholesterol", "Na_to_K"],
    )
    return f"Predicted drug: {PIPELINE.predict(row)[0]}"


demo = gr.Interface(
    fn=predict,
    inputs=[
        gr.Slider(15, 74, step=1, label="Age"),
        gr.Radio(["M", "F"], label="Sex"),
        gr.Radio(["HIGH", "LOW", "NORMAL"], label="Blood pressure"),
        gr.Radio(["HIGH", "NORMAL"], label="Cholesterol"),
        gr.Slider(6.2, 38.2, step=0.1, label="Na_to_K"),
    ],
    outputs=gr.Label(num_top_classes=5),
    title="Drug classification",
    description="Enter a patient's details to get the suggested drug.",
)

if __name__ == "__main__":
    demo.launch()
