"""The shared vocabulary: the Answer model, errors, paths, clean text (standard library only)."""
