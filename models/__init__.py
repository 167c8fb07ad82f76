"""The smearcount training pipeline (PyTorch + torchvision), run from the repository root:

    /usr/bin/python3 -m models.train            # train, tune, evaluate, export, write the card
    /usr/bin/python3 -m pytest -q models        # its tests
"""
