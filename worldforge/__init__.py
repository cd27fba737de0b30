"""worldforge: a terminal studio for drafting illustrated, branching stories with generative models."""

__version__ = "0.1.0"
