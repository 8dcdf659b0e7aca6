package dev.streamlens.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import dev.streamlens.ingest.grpc.OtlpGrpcTraceService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * grpc-java's own client (Netty) calling TraceService/Export with any bytes, to see the status
 * codes and RetryInfo the service answers; the OpenTelemetry SDK's exporter hides them.
 */
final class GrpcExportClient implements AutoCloseable {

    /** What the service answered: a response, or a status with its code, message and retry delay. */
    record Answer(
            ExportTraceServiceResponse response, io.grpc.Status.Code code, String message, Long retryDelaySeconds) {
        boolean ok() {
            return response != null;
        }
    }

    /** The service's own Export descriptor: the request goes as the bytes given. */
    private static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT = OtlpGrpcTraceService.EXPORT;

    private final ManagedChannel channel;

    GrpcExportClient(int port) {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .build();
    }

    /** The port the service under test listens on for OTLP/gRPC. */
    static int servicePort() {
        return ConfigProvider.getConfig().getValue("streamlens.ingest.otlp-grpc-port", Integer.class);
    }

    Answer export(byte[] request, Optional<String> bearerKey, boolean gzip) {
        Metadata headers = new Metadata();
        bearerKey.ifPresent(key ->
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key));
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
        try {
            ExportTraceServiceResponse response = ClientCalls.blockingUnaryCall(
                    io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                    EXPORT,
                    gzip ? options.withCompression("gzip") : options,
                    request);
            return new Answer(response, io.grpc.Status.Code.OK, "", null);
        } catch (StatusRuntimeException e) {
            com.google.rpc.Status details = StatusProto.fromThrowable(e);
            Long delay = null;
            if (details != null) {
                for (com.google.protobuf.Any detail : details.getDetailsList()) {
                    if (detail.is(RetryInfo.class)) {
                        try {
                            delay = detail.unpack(RetryInfo.class)
                                    .getRetryDelay()
                                    .getSeconds();
                        } catch (InvalidProtocolBufferException bad) {
                            throw new IllegalStateException(bad);
                        }
                    }
                }
            }
            return new Answer(null, e.getStatus().getCode(), e.getStatus().getDescription(), delay);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
