package dev.streamlens.ingest.grpc;

import dev.streamlens.ingest.IngestSettings;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The OTLP/gRPC listener: grpc-java's Netty server on its own port (4317 by default), on the HTTP
 * service's address (so the same API-key rule holds), started with the service unless
 * {@code streamlens.ingest.otlp-grpc-enabled=false}, stopped with it. Calls run on a fixed pool,
 * because each may wait for Kafka (up to the send timeout): more calls than threads wait in the
 * pool's queue instead of adding threads. The queue is held short by allowing each connection
 * {@link #CALLS_PER_CONNECTION} calls at once (an exporter sends one export at a time), and a
 * call whose client gave up meanwhile is not handled ({@link OtlpGrpcTraceService}).
 */
@ApplicationScoped
public class OtlpGrpcServer {

    private static final Logger LOG = Logger.getLogger(OtlpGrpcServer.class);
    private static final int CALL_THREADS =
            Math.max(16, 8 * Runtime.getRuntime().availableProcessors());
    static final int CALLS_PER_CONNECTION = 16;

    @Inject
    IngestSettings settings;

    @Inject
    OtlpGrpcTraceService traces;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0")
    String host;

    private Server server;
    private ExecutorService calls;

    void start(@Observes StartupEvent started) {
        if (!settings.otlpGrpcEnabled()) {
            LOG.info("OTLP/gRPC: off (streamlens.ingest.otlp-grpc-enabled=false)");
            return;
        }
        calls = Executors.newFixedThreadPool(CALL_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "otlp-grpc-call");
            thread.setDaemon(true);
            return thread;
        });
        try {
            server = NettyServerBuilder.forAddress(new InetSocketAddress(host, settings.otlpGrpcPort()))
                    .addService(traces)
                    .executor(calls)
                    .maxConcurrentCallsPerConnection(CALLS_PER_CONNECTION)
                    // grpc-java answers a larger request RESOURCE_EXHAUSTED itself (also once gzip is undone)
                    .maxInboundMessageSize(settings.otlpMaxBodyBytes())
                    .build()
                    .start();
        } catch (IOException e) {
            calls.shutdownNow();
            throw new UncheckedIOException("OTLP/gRPC could not listen on " + host + ":" + settings.otlpGrpcPort(), e);
        }
        LOG.infof("OTLP/gRPC: listening on %s:%d", host, server.getPort());
    }

    void stop(@Observes ShutdownEvent stopping) throws InterruptedException {
        if (server != null) {
            server.shutdown();
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
            calls.shutdownNow();
        }
    }
}
