package dev.streamlens.query;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps the framework's refusals (unknown path, wrong method, ...) to the query API's JSON {@code {"error": ...}}. */
public class QueryExceptionMappers {

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        return QueryAnswers.frameworkRefusal(e.getResponse().getStatus());
    }
}
