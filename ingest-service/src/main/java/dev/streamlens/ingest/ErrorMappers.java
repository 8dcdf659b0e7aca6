package dev.streamlens.ingest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error the framework raises (unknown path, wrong method, ...) answers JSON, and nothing answers a bare 500. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        int code = e.getResponse().getStatus();
        return Response.status(code).type("application/json")
                .entity(java.util.Map.of("status", "rejected", "error",
                        status == null ? "HTTP " + code : status.getReasonPhrase()))
                .build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return Answers.unavailable(1, "internal error; send the event again");
    }
}
