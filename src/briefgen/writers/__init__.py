"""Writers: one module per output format, each walking the same document model."""
