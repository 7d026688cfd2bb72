"""A small inference service: a Hugging Face text classifier plus a scikit-learn re-ranker.

Demo for ModelLint. Safe and unsafe variants sit side by side on purpose.
"""
import os

import joblib
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

MODEL_ID = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
# A full 40-hex commit: downloads are reproducible and cannot change under you.
MODEL_REVISION = "714eb0fa89d2f80546fda750413ed43d93601a13"


def load_pinned():
    # Fine: pinned to a commit, no remote code.
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, revision=MODEL_REVISION)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID, revision=MODEL_REVISION)
    return tokenizer, model


def load_latest():
    # Risky: no revision, so whatever the repository's main branch holds today is downloaded.
    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
    model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID)
    return tokenizer, model


def load_custom_architecture():
    # Risky: trust_remote_code=True runs Python code from the Hub repository, and it is not pinned.
    return AutoModelForSequenceClassification.from_pretrained(
        "example-org/custom-classifier",
        trust_remote_code=True,
    )


def load_reranker(path: str = os.environ.get("RERANKER_PATH", "models/reranker.joblib")):
    # Risky: joblib.load is pickle underneath.
    return joblib.load(path)


def load_quantized(path: str = "models/classifier-int8.pt"):
    # Risky: a whole pickled module, loaded with weights_only=False.
    return torch.load(path, map_location="cpu", weights_only=False)


tokenizer, model = load_pinned()
