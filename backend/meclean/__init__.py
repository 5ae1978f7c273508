"""meclean: clean the labels of micro-expression datasets."""

__version__ = "0.1.0"
