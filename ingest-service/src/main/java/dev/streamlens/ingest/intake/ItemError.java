package dev.streamlens.ingest.intake;

import dev.streamlens.model.FieldError;
import java.util.List;

/** A refused item of a batch: its position (0-based) and every error found in it, as answered. */
public record ItemError(int index, List<FieldError> errors) {}
