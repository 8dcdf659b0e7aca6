package dev.streamlens.query.alerts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which URLs a webhook may call (docs/ALERTS.md#webhooks): http or https with a host, and never a
 * link-local or cloud metadata address unless {@code streamlens.alerts.webhook.allow-link-local}
 * says so, since a rule's author must not make the service read the host's instance credentials.
 * A URL is checked when its rule is written (its literal host) and again before every delivery
 * (every address its name resolves to then).
 */
@ApplicationScoped
public class WebhookTargets {

    private static final Set<String> METADATA_NAMES =
            Set.of("metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal");

    @Inject
    AlertSettings settings;

    /** Why a rule may not carry this URL; empty when it may. No name is resolved here. */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry credentials before the host");
        }
        if (settings.webhook().allowLinkLocal()) {
            return Optional.empty();
        }
        String host = stripBrackets(uri.getHost().toLowerCase(Locale.ROOT));
        if (METADATA_NAMES.contains(host)) {
            return Optional.of("names a cloud metadata service");
        }
        if (isIpLiteral(host)) {
            try {
                return addressRefusal(InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                return Optional.of("is not a valid address");
            }
        }
        return Optional.empty();
    }

    /** Why a delivery to this URL may not be made now, its host resolved; empty when it may. */
    public Optional<String> deliveryRefusal(URI uri) {
        Optional<String> refusal = refusal(uri.toString());
        if (refusal.isPresent() || settings.webhook().allowLinkLocal()) {
            return refusal;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(stripBrackets(uri.getHost()))) {
                Optional<String> bad = addressRefusal(address);
                if (bad.isPresent()) {
                    return bad;
                }
            }
            return Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty(); // not a refusal: the attempt fails, and is retried, like any unreachable host
        }
    }

    private static Optional<String> addressRefusal(InetAddress address) {
        if (address.isLinkLocalAddress() || address.isAnyLocalAddress() || isMetadataAddress(address)) {
            return Optional.of(
                    "resolves to " + address.getHostAddress()
                            + ", a link-local or metadata address (allowed only with STREAMLENS_WEBHOOK_ALLOW_LINK_LOCAL=true)");
        }
        return Optional.empty();
    }

    /** AWS's IPv6 metadata endpoint (fd00:ec2::254) and Alibaba's (100.100.100.200); 169.254.169.254 is link-local. */
    private static boolean isMetadataAddress(InetAddress address) {
        String text = address.getHostAddress();
        return text.equals("fd00:ec2:0:0:0:0:0:254") || text.equals("100.100.100.200");
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
