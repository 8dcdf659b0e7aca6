package dev.streamlens.query.alerts;

import dev.streamlens.model.AlertRule;
import java.time.Instant;

/** A rule as the service keeps it: the rule (with its version), and whether it was deleted. */
public record StoredRule(AlertRule rule, boolean deleted, Instant createdAt, Instant updatedAt) {}
