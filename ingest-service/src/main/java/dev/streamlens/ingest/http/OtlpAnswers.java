package dev.streamlens.ingest.http;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.streamlens.ingest.otlp.OtlpEncoding;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The answers of {@code POST /v1/traces}, in the encoding of the request, as the OTLP/HTTP
 * specification has them: 200 with an {@code ExportTraceServiceResponse} (a
 * {@code partial_success} when spans were rejected), and for a failure a {@code google.rpc.Status}
 * with the HTTP status; 429 and 503 carry Retry-After (the only failures a client retries).
 */
final class OtlpAnswers {

    /** HTTP status → the gRPC code OTLP pairs with it. */
    private static final Map<Integer, Integer> GRPC_CODES = Map.of(400, 3, 403, 7, 413, 8, 429, 8, 503, 14);

    private OtlpAnswers() {}

    static Response success(OtlpEncoding encoding, int rejectedSpans, String message) {
        ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
        if (rejectedSpans > 0) {
            response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(rejectedSpans)
                    .setErrorMessage(message));
        }
        ExportTraceServiceResponse body = response.build();
        return Response.ok(encoding == OtlpEncoding.JSON ? json(body) : body.toByteArray(), encoding.mediaType())
                .build();
    }

    static Response failure(OtlpEncoding encoding, Response.Status status, String message) {
        return failure(encoding, status, message, 0);
    }

    /** @param retryAfterSeconds sent as Retry-After when positive */
    static Response failure(OtlpEncoding encoding, Response.Status status, String message, int retryAfterSeconds) {
        int code = GRPC_CODES.getOrDefault(status.getStatusCode(), 2);
        Object body =
                encoding == OtlpEncoding.JSON ? Map.of("code", code, "message", message) : rpcStatus(code, message);
        Response.ResponseBuilder answer = Response.status(status).entity(body).type(encoding.mediaType());
        if (retryAfterSeconds > 0) {
            answer.header("Retry-After", retryAfterSeconds);
        }
        return answer.build();
    }

    private static String json(ExportTraceServiceResponse response) {
        try {
            return JsonFormat.printer().omittingInsignificantWhitespace().print(response);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** google.rpc.Status {int32 code = 1; string message = 2;}, encoded by hand: two fields need no extra library. */
    private static byte[] rpcStatus(int code, String message) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeInt32(1, code);
            out.writeString(2, message);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
