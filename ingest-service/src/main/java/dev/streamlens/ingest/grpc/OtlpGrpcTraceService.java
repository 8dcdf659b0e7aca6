package dev.streamlens.ingest.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.streamlens.access.AccessControl;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.intake.TraceExportIntake;
import dev.streamlens.ingest.intake.TraceExportOutcome;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * OTLP/gRPC traces ({@code opentelemetry.proto.collector.trace.v1.TraceService/Export}): the same
 * {@link TraceExportIntake} as {@code POST /v1/traces}, answered with the OTLP/gRPC status codes
 * ({@link GrpcAnswers}). The request is taken as bytes and decoded here, so that an undecodable one
 * is {@code INVALID_ARGUMENT} (grpc-java's own decoding would answer {@code INTERNAL}, which a
 * client retries). API keys come from the {@code authorization} or {@code x-api-key} metadata
 * ({@link ApiKeyInterceptor}). Served by {@link OtlpGrpcServer}.
 */
@ApplicationScoped
public class OtlpGrpcTraceService implements BindableService {

    /** The Export method, its request as raw bytes (clients that send any bytes use it too). */
    public static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT =
            TraceServiceGrpc.getExportMethod().toBuilder(
                            new RawBytes(), ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
                    .build();

    @Inject
    TraceExportIntake exports;

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @Inject
    AccessControl access;

    @Override
    public ServerServiceDefinition bindService() {
        ServerServiceDefinition service = ServerServiceDefinition.builder(TraceServiceGrpc.SERVICE_NAME)
                .addMethod(EXPORT, ServerCalls.asyncUnaryCall(this::export))
                .build();
        return ServerInterceptors.intercept(service, new ApiKeyInterceptor(access));
    }

    /** Runs on the server's own threads: it may wait for Kafka (at most the send timeout). */
    void export(byte[] body, StreamObserver<ExportTraceServiceResponse> answer) {
        if (Context.current().isCancelled()) {
            return; // the client gave up (its deadline passed while the call waited): it sends the export again
        }
        ExportTraceServiceResponse response;
        try {
            response = handle(body, ApiKeyInterceptor.caller(Context.current()));
        } catch (StatusRuntimeException failure) {
            answer.onError(failure);
            return;
        } catch (RuntimeException unforeseen) {
            answer.onError(GrpcAnswers.internal(unforeseen));
            return;
        }
        answer.onNext(response);
        answer.onCompleted();
    }

    private ExportTraceServiceResponse handle(byte[] body, Optional<String> caller) {
        ExportTraceServiceRequest request;
        try {
            request = ExportTraceServiceRequest.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            metrics.rejected("body", 1);
            throw GrpcAnswers.invalid("body: not an OTLP ExportTraceServiceRequest (" + e.getMessage() + ")");
        }
        TraceExportOutcome outcome = exports.export(request, caller);
        return GrpcAnswers.of(outcome, settings.retryAfterSeconds());
    }

    /** The request as it came off the wire (after gzip is undone by grpc-java). */
    public static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw io.grpc.Status.INTERNAL
                        .withDescription("could not read the request")
                        .withCause(e)
                        .asRuntimeException();
            }
        }
    }
}
