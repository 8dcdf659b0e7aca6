package dev.streamlens.ingest.http;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps what the framework throws to the ingest API's JSON: its refusals (unknown path, wrong
 * method, ...) in the {@code rejected} shape, and any unexpected failure to a 503, never a bare 500.
 */
public class IngestExceptionMappers {

    private static final Logger LOG = Logger.getLogger(IngestExceptionMappers.class);

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        return IngestAnswers.frameworkRefusal(e.getResponse().getStatus());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return IngestAnswers.unavailable(1, "internal error; send the event again");
    }
}
