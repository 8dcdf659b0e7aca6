package dev.streamlens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.ParseResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread cost of reading one request event: the shared validating parser against plain
 * Jackson tree reading (its floor) and the synthetic generator the job benchmark uses.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class EventParsingBenchmark {

    private final byte[] request = SyntheticEvents.request(123_456L);
    private final EventParser parser = new EventParser();
    private final ObjectMapper mapper = new ObjectMapper();
    private long next;

    @Benchmark
    public ParseResult<LlmRequest> validatingParser() {
        return parser.parseRequest(request);
    }

    @Benchmark
    public Object jacksonTreeOnly() throws Exception {
        return mapper.readTree(request);
    }

    @Benchmark
    public byte[] generateRequest() {
        return SyntheticEvents.request(next++);
    }
}
