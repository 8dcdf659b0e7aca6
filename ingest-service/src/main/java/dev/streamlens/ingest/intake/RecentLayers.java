package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.otlp.GenAiSpans;
import dev.streamlens.ingest.otlp.StackedCalls;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One call, one count ({@link StackedCalls}): of an export's calls, leaves out each span that is
 * the other layer of a call already counted, whether that layer is in the same export (the
 * framework span counts, its provider span is left out) or in an earlier one (an SDK's batch can
 * close between the two layers: the one that arrives second is left out). For the second case the
 * service remembers the call spans it decided to write, per process, for {@link #REMEMBER_NANOS},
 * from the moment it decides (so that two exports in flight at once see each other) until it
 * {@link #forget}s an export that was not written: memory of this replica only, bounded in time and
 * size (docs/EVENTS.md, one call, one count).
 */
@ApplicationScoped
public class RecentLayers {

    /** How long a span is remembered: SDKs export a batch every few seconds. */
    static final long REMEMBER_NANOS = 120_000_000_000L;

    static final int SPANS_PER_PROCESS = 1024;
    static final int PROCESSES = 1024;

    /** A call span decided to be written, and whether its other layer was already left out. */
    static final class Written {
        final String requestId;
        final StackedCalls.Layer layer;
        final long writtenAt;
        boolean paired;

        Written(String requestId, StackedCalls.Layer layer, long writtenAt, boolean paired) {
            this.requestId = requestId;
            this.layer = layer;
            this.writtenAt = writtenAt;
            this.paired = paired;
        }
    }

    /**
     * The calls to write, how many were left out as another layer's, the remembered spans of earlier
     * exports they were paired with, and the spans remembered for this export.
     */
    record Decision(
            List<GenAiSpans.SpanCall> kept, int innerLayers, List<Written> pairedBefore, List<Written> remembered) {}

    private final Map<String, Deque<Written>> byProcess = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Written>> eldest) {
            return size() > PROCESSES;
        }
    };
    private final LongSupplier clock;

    public RecentLayers() {
        this(System::nanoTime);
    }

    RecentLayers(LongSupplier clock) {
        this.clock = clock;
    }

    /** The calls of an export to write, remembered from now on. */
    synchronized Decision decide(List<GenAiSpans.SpanCall> calls) {
        Map<Integer, Integer> sameExport = StackedCalls.pairs(
                calls.stream().map(GenAiSpans.SpanCall::layer).toList());
        Set<String> ownIds = new HashSet<>();
        calls.forEach(call -> ownIds.add(call.span()));
        Set<String> pairedNow = new HashSet<>();
        sameExport
                .values()
                .forEach(framework -> pairedNow.add(calls.get(framework).span()));
        List<GenAiSpans.SpanCall> kept = new ArrayList<>();
        List<Written> pairedBefore = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            GenAiSpans.SpanCall call = calls.get(i);
            if (sameExport.containsKey(i)) {
                continue;
            }
            Written earlier = call.layer() == null || pairedNow.contains(call.span())
                    ? null
                    : otherLayer(call.layer(), ownIds, pairedBefore);
            if (earlier == null) {
                kept.add(call);
            } else {
                pairedBefore.add(earlier);
            }
        }
        pairedBefore.forEach(written -> written.paired = true);
        List<Written> remembered = new ArrayList<>();
        long now = clock.getAsLong();
        for (GenAiSpans.SpanCall call : kept) {
            if (call.layer() != null) {
                Written written = new Written(call.span(), call.layer(), now, pairedNow.contains(call.span()));
                Deque<Written> spans = byProcess.computeIfAbsent(call.layer().process(), p -> new ArrayDeque<>());
                spans.addLast(written);
                remembered.add(written);
                while (spans.size() > SPANS_PER_PROCESS) {
                    spans.removeFirst();
                }
            }
        }
        return new Decision(kept, calls.size() - kept.size(), pairedBefore, remembered);
    }

    /**
     * An export that was not written (refused, or Kafka did not acknowledge it): its calls are
     * not remembered, and the remembered spans they were paired with are free again. A client
     * sends it again, and it is decided anew.
     */
    synchronized void forget(Decision decision) {
        decision.pairedBefore().forEach(written -> written.paired = false);
        for (Written written : decision.remembered()) {
            Deque<Written> spans = byProcess.get(written.layer.process());
            if (spans != null) {
                spans.remove(written);
            }
        }
    }

    /**
     * The remembered, unpaired span of the same process that is this span's other layer (a
     * framework span around a provider span, or a provider span within a framework span), the one
     * whose edges are closest.
     * A span of the export itself (an export sent again) is not another layer.
     */
    private Written otherLayer(StackedCalls.Layer layer, Set<String> ownIds, List<Written> takenNow) {
        Deque<Written> spans = byProcess.get(layer.process());
        if (spans == null) {
            return null;
        }
        long now = clock.getAsLong();
        while (!spans.isEmpty() && now - spans.peekFirst().writtenAt > REMEMBER_NANOS) {
            spans.removeFirst();
        }
        Written best = null;
        for (Written written : spans) {
            boolean stacked = layer.framework() ? layer.encloses(written.layer) : written.layer.encloses(layer);
            if (stacked
                    && !written.paired
                    && !ownIds.contains(written.requestId)
                    && !takenNow.contains(written)
                    && (best == null || written.layer.distance(layer) < best.layer.distance(layer))) {
                best = written;
            }
        }
        return best;
    }
}
