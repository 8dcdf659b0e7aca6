package dev.streamlens.ingest.intake;

import java.util.List;

/**
 * What became of a batch once Kafka answered: how many items it held, how many were written, how
 * many were invalid, whether Kafka failed to acknowledge some, and every refused item by index.
 */
public record BatchOutcome(int items, int accepted, int invalid, boolean unavailable, List<ItemError> errors) {}
