import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an OTLP protobuf export of 512 GenAI spans (an SDK's default batch) for run-otlp-benchmark.sh,
 * and with a second path the same export as one gRPC message (a 0 byte, the length in 4 bytes, the
 * export) for run-otlp-grpc-benchmark.sh.
 */
public class OtlpProtobufBody {
    static KeyValue s(String k, String v) { return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build(); }
    static KeyValue i(String k, long v) { return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build(); }
    public static void main(String[] args) throws Exception {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        for (int n = 1; n <= 512; n++) {
            byte[] trace = ByteBuffer.allocate(16).putLong(1).putLong(n).array();
            byte[] span = ByteBuffer.allocate(8).putLong(n).array();
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(span))
                .setName("chat gpt-4o").setKindValue(3).setStartTimeUnixNano(1763632830000000000L).setEndTimeUnixNano(1763632831200000000L)
                .addAttributes(s("gen_ai.operation.name", "chat")).addAttributes(s("gen_ai.request.model", "gpt-4o"))
                .addAttributes(i("gen_ai.usage.input_tokens", 100)).addAttributes(i("gen_ai.usage.output_tokens", 250))
                .addAttributes(KeyValue.newBuilder().setKey("gen_ai.response.finish_reasons").setValue(AnyValue.newBuilder()
                    .setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("stop"))))));
        }
        ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(s("service.name", "chat")).addAttributes(s("tenant.id", "acme")))
            .addScopeSpans(scope)).build();
        byte[] export = req.toByteArray();
        Files.write(Path.of(args[0]), export);
        if (args.length > 1) {
            Files.write(Path.of(args[1]), ByteBuffer.allocate(5 + export.length).put((byte) 0).putInt(export.length).put(export).array());
        }
    }
}
