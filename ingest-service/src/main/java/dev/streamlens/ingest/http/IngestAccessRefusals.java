package dev.streamlens.ingest.http;

import dev.streamlens.access.AccessRefusals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

/** The ingest API's 401: the usual rejected shape, naming the Authorization header. */
@ApplicationScoped
public class IngestAccessRefusals implements AccessRefusals {

    @Override
    public Response unauthorized(String reason) {
        Response rejected = IngestAnswers.rejected(Response.Status.UNAUTHORIZED, "Authorization", reason);
        return Response.fromResponse(rejected)
                .header("WWW-Authenticate", "Bearer")
                .build();
    }
}
