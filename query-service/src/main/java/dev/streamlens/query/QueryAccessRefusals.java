package dev.streamlens.query;

import dev.streamlens.access.AccessRefusals;
import dev.streamlens.model.FieldError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The query API's 401, in its usual error shape, naming the Authorization header. */
@ApplicationScoped
public class QueryAccessRefusals implements AccessRefusals {

    @Override
    public Response unauthorized(String reason) {
        return Response.fromResponse(QueryAnswers.error(
                        Response.Status.UNAUTHORIZED, List.of(new FieldError("Authorization", reason))))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }
}
