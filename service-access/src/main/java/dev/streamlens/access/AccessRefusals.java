package dev.streamlens.access;

import jakarta.ws.rs.core.Response;

/** How a service words its 401 (each API has its own error shape); one bean per service. */
public interface AccessRefusals {

    /** 401 for a call without a usable key, or with a key that is not ours. */
    Response unauthorized(String reason);
}
