"""Fine-tunes a small image classifier and resumes from checkpoints.

Demo for ModelLint: open this file and look at the squiggles and the Problems panel.
"""
import argparse
import pickle
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import yaml
from torchvision import models


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fine-tune ResNet-18 on a folder of images")
    parser.add_argument("--config", default="configs/train.yaml")
    parser.add_argument("--resume", default="checkpoints/last.pt", help="checkpoint to resume from")
    parser.add_argument("--init-weights", default="weights/resnet18.pt")
    parser.add_argument("--pretrained", default=None, help="full pickled model to start from")
    parser.add_argument("--weights-only", action=argparse.BooleanOptionalAction, default=False,
                        help="restrict unpickling to tensors (off by default for old checkpoints)")
    return parser.parse_args()


def load_config(path: str) -> dict:
    with open(path) as fh:
        # yaml.load without a safe Loader can construct arbitrary Python objects.
        return yaml.load(fh, Loader=yaml.Loader)


def load_config_safely(path: str) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)  # fine: plain data only


def build_model(num_classes: int, init_weights: str) -> nn.Module:
    model = models.resnet18(num_classes=num_classes)
    # Fine: weights_only=True restricts unpickling to tensors and plain containers.
    state = torch.load(init_weights, map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model


def resume(model: nn.Module, optimizer: torch.optim.Optimizer, path: str) -> int:
    # Risky: on torch 2.5.1 weights_only defaults to False, so this unpickles whatever the file holds.
    checkpoint = torch.load(path, map_location="cpu")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]


def load_class_names(path: Path) -> list[str]:
    with path.open("rb") as fh:
        return pickle.load(fh)  # arbitrary code execution if the file is not yours


def load_embeddings(path: str) -> np.ndarray:
    # Risky: allow_pickle=True lets a .npy/.npz file carry pickled objects.
    return np.load(path, allow_pickle=True)


def load_mean_std(path: str) -> np.ndarray:
    return np.load(path)  # fine: allow_pickle defaults to False


def main() -> None:
    args = parse_args()
    config = load_config(args.config)
    if args.pretrained:
        # Risky: weights_only comes from the command line and its default is False.
        model = torch.load(args.pretrained, map_location="cpu", weights_only=args.weights_only)
    else:
        model = build_model(config["num_classes"], args.init_weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.get("lr", 3e-4))
    start_epoch = resume(model, optimizer, args.resume) if Path(args.resume).exists() else 0
    print(f"training from epoch {start_epoch}")


if __name__ == "__main__":
    main()
