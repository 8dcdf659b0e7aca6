package dev.streamlens.ingest.otlp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One call, one count when two instrumentation layers trace it: a framework's model span (a
 * LangChain or LlamaIndex tracer) around the model client's own span (the OpenAI
 * instrumentation's). The two are not parent and child (the tracers do not make their spans
 * current: each is often the root of its own trace), so they are matched by time: a provider span
 * of the same process (resource) that lies within a framework span's start and end is the same
 * call. Within one export the framework span counts and the provider span is left out, because
 * the framework span is the one that also sees failed calls and a stream's usage; across exports
 * ({@link RecentLayers}) the one that arrives second is left out. Each framework span takes at most
 * one provider span, the one whose start and end are closest to its own, so calls made with the
 * client directly while a framework call runs still count (docs/EVENTS.md, one call, one count).
 */
public final class StackedCalls {

    /** How far a provider span may reach past its framework span's edges. */
    static final long EDGE_NANOS = 50_000_000L;

    /** The instrumentation scopes of frameworks that trace a model call above its client. */
    static final Set<String> FRAMEWORK_SCOPES = Set.of(
            "@arizeai/openinference-instrumentation-langchain",
            "@traceloop/instrumentation-langchain",
            "openinference.instrumentation.langchain",
            "opentelemetry.instrumentation.langchain",
            "openinference.instrumentation.llama_index",
            "opentelemetry.instrumentation.llamaindex");

    /** A call span's layer: the process (its tenant and resource) it came from, and its time. */
    public record Layer(String process, boolean framework, long start, long end) {

        /**
         * A framework span around a provider span of the same process, give or take
         * {@link #EDGE_NANOS} at either end: a streamed call's client span can end just after the
         * framework's (each reads its own copy of the stream).
         */
        public boolean encloses(Layer inner) {
            return framework
                    && !inner.framework
                    && process.equals(inner.process)
                    && inner.start >= start - EDGE_NANOS
                    && inner.end <= end + EDGE_NANOS;
        }

        /** How far apart the two spans' edges are: the closest framework span is the call's. */
        public long distance(Layer other) {
            return Math.abs(start - other.start) + Math.abs(end - other.end);
        }
    }

    private StackedCalls() {}

    public static boolean isFramework(String scope) {
        return FRAMEWORK_SCOPES.contains(scope);
    }

    /**
     * The stacked calls among one export's calls: position of each provider span that is the inner
     * layer of a framework span's call → position of that framework span. Pairs are made closest
     * first, each span in at most one pair. A null layer (a span without valid ids) is in none.
     */
    public static Map<Integer, Integer> pairs(List<Layer> calls) {
        List<long[]> candidates = new ArrayList<>(); // {distance, provider, framework}
        for (int framework = 0; framework < calls.size(); framework++) {
            Layer outer = calls.get(framework);
            if (outer == null || !outer.framework()) {
                continue;
            }
            for (int provider = 0; provider < calls.size(); provider++) {
                Layer inner = calls.get(provider);
                if (inner != null && outer.encloses(inner)) {
                    candidates.add(new long[] {outer.distance(inner), provider, framework});
                }
            }
        }
        candidates.sort(Comparator.comparingLong(candidate -> candidate[0]));
        Map<Integer, Integer> pairs = new HashMap<>();
        Set<Integer> taken = new HashSet<>();
        for (long[] candidate : candidates) {
            int provider = (int) candidate[1];
            int framework = (int) candidate[2];
            if (!pairs.containsKey(provider) && taken.add(framework)) {
                pairs.put(provider, framework);
            }
        }
        return pairs;
    }
}
