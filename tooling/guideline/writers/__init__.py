"""Writers: pure functions from the model to files. One module per output format."""
