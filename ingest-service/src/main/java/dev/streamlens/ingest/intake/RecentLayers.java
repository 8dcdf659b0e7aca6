package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.otlp.StackedCalls;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One call, one count ({@link StackedCalls}) for the valid calls of an export: leaves out each span
 * that is the other layer of a call already counted, whether that layer is in the same export (the
 * framework span counts, its provider span is left out) or in an earlier one (an SDK's batch can
 * close between the two layers: the one that arrives second is left out). For the second case the
 * service remembers, per process (tenant and resource), the call spans it decided on, written or
 * left out, for {@link #REMEMBER_NANOS}: from the moment it decides (so that two exports in flight
 * at once see each other) until it {@link #forget}s an export that was not written. A span seen
 * before is decided the same way again (an export sent again). Memory of this replica only,
 * bounded in time and in size (docs/EVENTS.md, one call, one count).
 */
@ApplicationScoped
public class RecentLayers {

    /** How long a span is remembered: SDKs export a batch every few seconds. */
    static final long REMEMBER_NANOS = 120_000_000_000L;

    /** At most this many spans remembered in all (about 20 MB); the oldest go first. */
    static final int MAX_REMEMBERED = 100_000;

    /** A call span decided on: written, or left out as the other layer of a written one. */
    static final class Seen {
        final String requestId;
        final StackedCalls.Layer layer;
        final long decidedAt;
        final boolean leftOut;
        /** Written, and its other layer was already left out: it pairs with nothing more. */
        boolean paired;

        Seen(String requestId, StackedCalls.Layer layer, long decidedAt, boolean leftOut, boolean paired) {
            this.requestId = requestId;
            this.layer = layer;
            this.decidedAt = decidedAt;
            this.leftOut = leftOut;
            this.paired = paired;
        }
    }

    /**
     * The calls to write, how many were left out as another layer's, the remembered spans of earlier
     * exports they were paired with, and the spans remembered for this export.
     */
    record Decision(List<CheckedSpans.Valid> kept, int leftOut, List<Seen> pairedBefore, List<Seen> added) {}

    /**
     * One process's remembered spans by request id, and apart the written ones still unpaired, by
     * layer: the only ones a later span can pair with. An app without a framework tracer has no
     * open framework span, so its provider spans are never compared with anything.
     */
    private static final class Process {
        final Map<String, Seen> byId = new HashMap<>();
        final Set<Seen> openFrameworks = Collections.newSetFromMap(new IdentityHashMap<>());
        final Set<Seen> openProviders = Collections.newSetFromMap(new IdentityHashMap<>());

        Set<Seen> open(boolean framework) {
            return framework ? openFrameworks : openProviders;
        }

        /** Keeps the open sets true to the span's state after it changed. */
        void update(Seen seen) {
            Set<Seen> open = open(seen.layer.framework());
            if (!seen.leftOut && !seen.paired && byId.get(seen.requestId) == seen) {
                open.add(seen);
            } else {
                open.remove(seen);
            }
        }
    }

    private final Map<String, Process> byProcess = new HashMap<>();
    /** Every remembered span, oldest first: for the bounds. */
    private final Deque<Seen> all = new ArrayDeque<>();

    private final LongSupplier clock;

    public RecentLayers() {
        this(System::nanoTime);
    }

    RecentLayers(LongSupplier clock) {
        this.clock = clock;
    }

    /** Decides which calls of an export to write; they are remembered from now on. */
    Decision decide(List<CheckedSpans.Valid> calls) {
        Map<Integer, Integer> inExport = StackedCalls.pairs(
                calls.stream().map(call -> call.call().layer()).toList());
        Set<Integer> pairedInExport = new HashSet<>(inExport.values());
        synchronized (this) {
            long now = clock.getAsLong();
            forgetOlderThan(now - REMEMBER_NANOS);
            boolean[] leftOut = new boolean[calls.size()];
            boolean[] decided = new boolean[calls.size()];
            List<Seen> pairedBefore = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                Seen before = seen(calls.get(i));
                if (before != null) { // sent again: as it was decided then
                    leftOut[i] = before.leftOut;
                    decided[i] = true;
                } else if (inExport.containsKey(i)) {
                    leftOut[i] = true;
                }
            }
            for (Match match : matchesWithEarlierExports(calls, inExport, pairedInExport, decided)) {
                match.earlier().paired = true;
                byProcess.get(match.earlier().layer.process()).update(match.earlier());
                pairedBefore.add(match.earlier());
                leftOut[match.call()] = true;
            }
            List<CheckedSpans.Valid> kept = new ArrayList<>();
            List<Seen> added = new ArrayList<>();
            int left = 0;
            for (int i = 0; i < calls.size(); i++) {
                if (leftOut[i]) {
                    left++;
                } else {
                    kept.add(calls.get(i));
                }
                if (!decided[i]) {
                    added.add(remember(calls.get(i), now, leftOut[i], pairedInExport.contains(i)));
                }
            }
            return new Decision(kept, left, pairedBefore, added);
        }
    }

    /**
     * An export that was not written (refused, or Kafka did not acknowledge it): its spans are not
     * remembered, and the remembered spans it was paired with are free again. A client sends it
     * again, and it is decided anew.
     */
    synchronized void forget(Decision decision) {
        for (Seen seen : decision.pairedBefore()) {
            seen.paired = false;
            Process process = byProcess.get(seen.layer.process());
            if (process != null) {
                process.update(seen);
            }
        }
        Set<Seen> added = Collections.newSetFromMap(new IdentityHashMap<>());
        added.addAll(decision.added());
        decision.added().forEach(this::drop);
        all.removeIf(added::contains);
    }

    /** The remembered span with this call's request id in its process, if any. */
    private Seen seen(CheckedSpans.Valid call) {
        Process process = byProcess.get(call.call().layer().process());
        return process == null ? null : process.byId.get(call.call().span());
    }

    /** A call not decided yet that is the other layer of a remembered span. */
    private record Match(long distance, int call, Seen earlier) {}

    /**
     * The calls not decided yet that are the other layer of a remembered, written, unpaired span of
     * their process: closest first, each call and each span in at most one pair. Framework spans
     * paired in their own export take no more.
     */
    private List<Match> matchesWithEarlierExports(
            List<CheckedSpans.Valid> calls,
            Map<Integer, Integer> inExport,
            Set<Integer> pairedInExport,
            boolean[] decided) {
        List<Match> candidates = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            StackedCalls.Layer layer = calls.get(i).call().layer();
            Process process = byProcess.get(layer.process());
            if (decided[i] || inExport.containsKey(i) || pairedInExport.contains(i) || process == null) {
                continue;
            }
            for (Seen seen : process.open(!layer.framework())) { // the other layer's open spans only
                if (layer.framework() ? layer.encloses(seen.layer) : seen.layer.encloses(layer)) {
                    candidates.add(new Match(layer.distance(seen.layer), i, seen));
                }
            }
        }
        candidates.sort(Comparator.comparingLong(Match::distance)
                .thenComparingLong(match -> match.earlier().decidedAt)); // ties: the earliest
        List<Match> matches = new ArrayList<>();
        Set<Integer> matchedCalls = new HashSet<>();
        Set<Seen> matchedSpans = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Match candidate : candidates) {
            if (!matchedCalls.contains(candidate.call()) && matchedSpans.add(candidate.earlier())) {
                matchedCalls.add(candidate.call());
                matches.add(candidate);
            }
        }
        return matches;
    }

    private Seen remember(CheckedSpans.Valid call, long now, boolean leftOut, boolean paired) {
        Seen seen = new Seen(call.call().span(), call.call().layer(), now, leftOut, paired);
        Process process = byProcess.computeIfAbsent(seen.layer.process(), key -> new Process());
        process.byId.put(seen.requestId, seen);
        process.update(seen);
        all.addLast(seen);
        while (all.size() > MAX_REMEMBERED) {
            drop(all.removeFirst());
        }
        return seen;
    }

    private void forgetOlderThan(long oldest) {
        while (!all.isEmpty() && all.peekFirst().decidedAt - oldest < 0) {
            drop(all.removeFirst());
        }
    }

    private void drop(Seen seen) {
        Process process = byProcess.get(seen.layer.process());
        if (process != null && process.byId.get(seen.requestId) == seen) {
            process.byId.remove(seen.requestId);
            process.update(seen);
            if (process.byId.isEmpty()) {
                byProcess.remove(seen.layer.process());
            }
        }
    }
}
