"""poa-forge: Plan of Action documents for suspended marketplace sellers, built from one YAML file per case."""

__all__ = ["__version__"]
__version__ = "0.1.0"
