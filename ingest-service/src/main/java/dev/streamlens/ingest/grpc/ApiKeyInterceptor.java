package dev.streamlens.ingest.grpc;

import dev.streamlens.access.AccessControl;
import dev.streamlens.access.ApiKeys;
import dev.streamlens.access.PresentedKey;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * The gRPC side of the HTTP API's key check: with keys on, a call must carry a known key in the
 * {@code authorization} ({@code Bearer <key>}) or {@code x-api-key} metadata, else it is closed
 * {@code UNAUTHENTICATED}; the key's tenant is then the caller for the call's context. Not a bean:
 * Quarkus would take a bean interceptor for one meant for every service.
 */
final class ApiKeyInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> CALLER = Context.key("streamlens-caller-tenant");

    private final AccessControl access;

    ApiKeyInterceptor(AccessControl access) {
        this.access = access;
    }

    /** The tenant whose key authenticated the call; empty when keys are off. */
    static Optional<String> caller(Context context) {
        return Optional.ofNullable(CALLER.get(context));
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        if (!access.keysRequired()) {
            return next.startCall(call, headers);
        }
        Optional<String> key = PresentedKey.from(headers.get(AUTHORIZATION), headers.get(API_KEY));
        if (key.isEmpty()) {
            return refuse(call, "an API key is required: send the metadata authorization: Bearer <key> or x-api-key");
        }
        Optional<ApiKeys.TenantKey> tenant = access.keys().flatMap(keys -> keys.find(key.get()));
        if (tenant.isEmpty()) {
            return refuse(call, "unknown API key");
        }
        return Contexts.interceptCall(
                Context.current().withValue(CALLER, tenant.get().tenantId()), call, headers, next);
    }

    private static <Q, A> ServerCall.Listener<Q> refuse(ServerCall<Q, A> call, String reason) {
        call.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
