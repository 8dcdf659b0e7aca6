package dev.streamlens.query.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which webhook URLs are refused, by rule and by setting (docs/ALERTS.md#webhooks). */
class WebhookTargetsTest {

    @Test
    void linkLocalAndMetadataAddressesAreRefusedUnlessAllowed() {
        WebhookTargets strict = targets(false);
        for (String url : new String[] {
            "http://169.254.169.254/latest/meta-data/",
            "http://169.254.10.1:8080/x",
            "http://[fe80::1]/hook",
            "http://[fd00:ec2::254]/",
            "http://100.100.100.200/",
            "http://0.0.0.0/",
            "http://metadata.google.internal/",
            "https://METADATA/"
        }) {
            assertThat(strict.refusal(url)).as(url).isPresent();
        }
        WebhookTargets lenient = targets(true);
        assertThat(lenient.refusal("http://169.254.169.254/latest/meta-data/")).isEmpty();
        assertThat(lenient.refusal("ftp://example.com/")).isPresent(); // the scheme rule holds regardless
    }

    @Test
    void ordinaryUrlsPassAndMalformedOnesAreNamed() {
        WebhookTargets strict = targets(false);
        assertThat(strict.refusal("https://hooks.slack.com/services/T0/B0/x")).isEmpty();
        assertThat(strict.refusal("http://127.0.0.1:9000/hook")).isEmpty();
        assertThat(strict.refusal("http://10.0.0.5/hook"))
                .isEmpty(); // private networks are a deployment's own business
        assertThat(strict.refusal("mailto:ops@example.com")).contains("must be an http or https URL");
        assertThat(strict.refusal("http:///nohost")).contains("must name a host");
        assertThat(strict.refusal("http://a b/")).contains("is not a URL");
        assertThat(strict.refusal("https://u:p@example.com/")).contains("must not carry credentials before the host");
    }

    @Test
    void aDeliveryChecksTheAddressesTheHostResolvesTo() {
        assertThat(targets(false).deliveryRefusal(URI.create("http://127.0.0.1:1/hook")))
                .isEmpty();
        assertThat(targets(false).deliveryRefusal(URI.create("http://169.254.169.254/")))
                .isPresent();
        assertThat(targets(false).deliveryRefusal(URI.create("http://localhost:1/hook")))
                .isEmpty();
    }

    private static WebhookTargets targets(boolean allowLinkLocal) {
        WebhookTargets targets = new WebhookTargets();
        targets.settings = new AlertSettings() {
            @Override
            public boolean kafka() {
                return false;
            }

            @Override
            public int maxRulesPerTenant() {
                return 1;
            }

            @Override
            public Duration workInterval() {
                return Duration.ofSeconds(1);
            }

            @Override
            public Store store() {
                return null; // not read by WebhookTargets
            }

            @Override
            public Webhook webhook() {
                return new Webhook() {
                    @Override
                    public boolean allowLinkLocal() {
                        return allowLinkLocal;
                    }

                    @Override
                    public Duration timeout() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration initialBackoff() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration maxBackoff() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration giveUpAfter() {
                        return Duration.ofSeconds(1);
                    }
                };
            }
        };
        return targets;
    }
}
