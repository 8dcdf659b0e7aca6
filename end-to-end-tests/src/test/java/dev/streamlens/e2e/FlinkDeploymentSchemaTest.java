package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/flink/flink-deployment.yaml against the Flink Kubernetes Operator's FlinkDeployment CRD
 * schema (from the operator's API jar on Maven Central, 1.10.0: the newest that resolves here).
 * Unknown fields are made errors (Kubernetes would prune them silently), and the flinkVersion enum,
 * which in 1.10.0 ends at v1_20, is widened by the Flink 2 values later operator releases accept.
 */
class FlinkDeploymentSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theDeploymentIsValidAgainstTheOperatorsSchema() throws Exception {
        JsonNode deployment = YAML.readTree(
                StackProcess.ROOT.resolve("deploy/flink/flink-deployment.yaml").toFile());
        assertThat(errors(deployment)).isEmpty();
        assertThat(deployment.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(deployment.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(deployment.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(deployment.at("/spec/flinkConfiguration/state.backend.type").asText())
                .isEqualTo("rocksdb");
        assertThat(deployment
                        .at("/spec/flinkConfiguration/execution.checkpointing.dir")
                        .asText())
                .startsWith("s3://");
    }

    @Test
    void itRunsTheJarTheImageHoldsWithArgumentsTheJobKnows() throws Exception {
        JsonNode job = YAML.readTree(StackProcess.ROOT
                        .resolve("deploy/flink/flink-deployment.yaml")
                        .toFile())
                .at("/spec/job");
        String dockerfile = Files.readString(StackProcess.ROOT.resolve("flink-job/Dockerfile"));
        Matcher copied =
                Pattern.compile("COPY target/flink-job-\\S+-job\\.jar (\\S+)").matcher(dockerfile);
        assertThat(copied.find()).isTrue();
        assertThat(job.path("jarURI").asText()).isEqualTo("local://" + copied.group(1));
        assertThat(job.path("entryClass").asText()).isEqualTo("dev.streamlens.job.StreamLensJob");
        Set<String> known = JobUsage.options();
        for (JsonNode arg : job.path("args")) {
            if (arg.asText().startsWith("--")) {
                assertThat(known).as("job option %s", arg.asText()).contains(arg.asText());
            }
        }
        assertThat(job.path("args").toString()).doesNotContain("--jdbc-password");
    }

    @Test
    void theSchemaCatchesMistakes() throws Exception {
        ObjectNode typo = (ObjectNode) YAML.readTree(
                StackProcess.ROOT.resolve("deploy/flink/flink-deployment.yaml").toFile());
        ((ObjectNode) typo.path("spec").path("job")).put("upgradeMod", "savepoint");
        assertThat(errors(typo)).anyMatch(e -> e.contains("upgradeMod"));
        ObjectNode wrongMode = (ObjectNode) YAML.readTree(
                StackProcess.ROOT.resolve("deploy/flink/flink-deployment.yaml").toFile());
        ((ObjectNode) wrongMode.path("spec").path("job")).put("upgradeMode", "whenever");
        assertThat(errors(wrongMode)).isNotEmpty();
    }

    private static List<String> errors(JsonNode document) throws Exception {
        JsonNode crd;
        try (InputStream in = FlinkDeploymentSchemaTest.class.getResourceAsStream(
                "/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            crd = YAML.readTree(in);
        }
        JsonNode version = null;
        for (JsonNode v : crd.at("/spec/versions")) {
            if (v.path("name").asText().equals("v1beta1")) {
                version = v;
            }
        }
        ObjectNode schema = (ObjectNode) version.at("/schema/openAPIV3Schema").deepCopy();
        ArrayNode flinkVersions = (ArrayNode) schema.at("/properties/spec/properties/flinkVersion/enum");
        for (String v2 : List.of("v2_0", "v2_1", "v2_2")) {
            flinkVersions.add(v2);
        }
        // Kubernetes itself owns these, so the CRD's schema leaves them out.
        ObjectNode root = (ObjectNode) schema.path("properties");
        root.putObject("apiVersion").put("type", "string");
        root.putObject("kind").put("type", "string");
        root.putObject("metadata").put("type", "object");
        strict(schema);
        JsonSchema validator =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        List<String> errors = new ArrayList<>();
        for (ValidationMessage message : validator.validate(document)) {
            errors.add(message.getMessage());
        }
        return errors;
    }

    /** Objects with declared properties admit no others, unless Kubernetes keeps unknown fields there. */
    private static void strict(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            for (Iterator<JsonNode> children = object.elements(); children.hasNext(); ) {
                strict(children.next());
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(FlinkDeploymentSchemaTest::strict);
        }
    }
}
