package dev.streamlens.ingest.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.streamlens.ingest.admission.RateLimitDecision;
import dev.streamlens.ingest.intake.TraceExportOutcome;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * The answers of OTLP/gRPC Export, as the OTLP specification has them: success with a
 * {@code partial_success} when spans were rejected (never retried); {@code UNAVAILABLE} with a
 * {@code RetryInfo} when Kafka did not acknowledge; {@code RESOURCE_EXHAUSTED} with a
 * {@code RetryInfo} over the rate (retry later) and without one over the burst or the size bounds
 * (OTLP: not retryable); {@code INVALID_ARGUMENT} for an undecodable request;
 * {@code PERMISSION_DENIED} for another tenant's span.
 */
final class GrpcAnswers {

    private GrpcAnswers() {}

    /** The response of an export, or the failure to throw. */
    static ExportTraceServiceResponse of(TraceExportOutcome outcome, int retryAfterSeconds) {
        if (outcome instanceof TraceExportOutcome.Accepted accepted) {
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (accepted.rejectedSpans() > 0) {
                response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
                        .setRejectedSpans(accepted.rejectedSpans())
                        .setErrorMessage(accepted.message()));
            }
            return response.build();
        }
        if (outcome instanceof TraceExportOutcome.TooManySpans tooMany) {
            throw tooLarge(tooMany.message());
        }
        if (outcome instanceof TraceExportOutcome.Forbidden forbidden) {
            throw failure(Code.PERMISSION_DENIED, forbidden.message(), 0);
        }
        if (outcome instanceof TraceExportOutcome.RateLimited limited) {
            RateLimitDecision refusal = limited.refusal();
            throw failure(
                    Code.RESOURCE_EXHAUSTED,
                    refusal.reason(),
                    refusal.refusal() == RateLimitDecision.Refusal.OVER_RATE
                            ? Math.max(1, refusal.retryAfterSeconds())
                            : 0);
        }
        TraceExportOutcome.NotAcknowledged notAcknowledged = (TraceExportOutcome.NotAcknowledged) outcome;
        throw failure(Code.UNAVAILABLE, notAcknowledged.message(), Math.max(1, retryAfterSeconds));
    }

    static StatusRuntimeException invalid(String message) {
        return failure(Code.INVALID_ARGUMENT, message, 0);
    }

    /** Over a size bound: waiting would not help, so no RetryInfo (OTLP: then not retryable). */
    static StatusRuntimeException tooLarge(String message) {
        return failure(Code.RESOURCE_EXHAUSTED, message, 0);
    }

    static StatusRuntimeException internal(Throwable cause) {
        return io.grpc.Status.INTERNAL
                .withDescription("the export could not be handled: " + cause)
                .withCause(cause)
                .asRuntimeException();
    }

    /** @param retryAfterSeconds a {@code RetryInfo} with this delay when positive */
    private static StatusRuntimeException failure(Code code, String message, int retryAfterSeconds) {
        Status.Builder status = Status.newBuilder().setCode(code.getNumber()).setMessage(message);
        if (retryAfterSeconds > 0) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(Duration.newBuilder().setSeconds(retryAfterSeconds))
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }
}
