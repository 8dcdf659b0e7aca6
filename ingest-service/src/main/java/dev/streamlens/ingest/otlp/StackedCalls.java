package dev.streamlens.ingest.otlp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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

    /** A call span's layer: the process (caller and resource) it came from, and its time. */
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
     * layer of a framework span's call → position of that framework span.
     */
    public static Map<Integer, Integer> pairs(List<Layer> calls) {
        List<Integer> frameworks = new ArrayList<>();
        List<Integer> providers = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i) != null) {
                (calls.get(i).framework() ? frameworks : providers).add(i);
            }
        }
        if (frameworks.isEmpty()) {
            return Map.of();
        }
        providers.sort(Comparator.comparingLong(i -> calls.get(i).start()));
        Map<Integer, Integer> pairs = new HashMap<>();
        for (int provider : providers) {
            Integer around = null;
            Layer inner = calls.get(provider);
            for (int framework : frameworks) {
                Layer candidate = calls.get(framework);
                if (!pairs.containsValue(framework)
                        && candidate.encloses(inner)
                        && (around == null
                                || candidate.distance(inner) < calls.get(around).distance(inner))) {
                    around = framework;
                }
            }
            if (around != null) {
                pairs.put(provider, around);
            }
        }
        return pairs;
    }
}
