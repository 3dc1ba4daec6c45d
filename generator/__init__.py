"""crisisplan: turn one questionnaire into a branded social-media crisis handbook."""

__version__ = "0.1.0"
