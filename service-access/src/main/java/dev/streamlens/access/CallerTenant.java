package dev.streamlens.access;

import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/** The tenant whose key authenticated this HTTP call; empty when keys are off. */
@RequestScoped
public class CallerTenant {

    private String tenantId;

    void set(String tenantId) {
        this.tenantId = tenantId;
    }

    public Optional<String> get() {
        return Optional.ofNullable(tenantId);
    }
}
