package dev.streamlens.job.alerts;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Where a job started without state learns which alerts an earlier run left firing: the alerts
 * store ({@code alerts} table, read by {@code dev.streamlens.job.io.AlertsStore}). The evaluator
 * takes each episode up again instead of starting every alert at OK, so it resolves once when its
 * condition clears and never fires a second time for a condition that still holds.
 */
@FunctionalInterface
public interface OpenAlerts extends Serializable {

    /** No store to ask (tests, and a recompute). */
    OpenAlerts NONE = () -> Map.of();

    /** One alert whose newest stored transition is a firing. */
    record Episode(String alertId, String ruleId, long firedAt, long episode) implements Serializable {}

    /**
     * The open episodes by tenant. Throws when the store cannot be read: the subtask then fails and
     * is restarted, rather than start blind.
     */
    Map<String, List<Episode>> read() throws Exception;
}
