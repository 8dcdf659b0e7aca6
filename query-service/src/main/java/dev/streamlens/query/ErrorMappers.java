package dev.streamlens.query;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Framework errors (unknown path, wrong method, ...) answer JSON too. */
public class ErrorMappers {

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int code = e.getResponse().getStatus();
        Response.Status status = Response.Status.fromStatusCode(code);
        return Response.status(code).type("application/json")
                .entity(Map.of("error", status == null ? "HTTP " + code : status.getReasonPhrase())).build();
    }
}
