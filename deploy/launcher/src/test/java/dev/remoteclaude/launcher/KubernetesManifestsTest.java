package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code k8s/} honest without a cluster: the kustomizations reference files that exist, the
 * Ingress routes exactly as the local edge router ({@link EdgeRouter#ROUTES}, including which route
 * wins where routes overlap, under ingress-nginx's rules), every service has its Deployment,
 * Service, disruption budget, database, role and Kafka user, every topic of the code has a
 * KafkaTopic, every Kafka user may do what its service's configuration does, and no secret value is
 * committed.
 *
 * <p>The manifests are read with a YAML library ({@link Yaml}, Jackson's YAML reader, a test
 * dependency only). {@code k8s/check.sh} checks more (the rendered overlays, with kubectl and
 * PyYAML) where those are there.
 */
class KubernetesManifestsTest {

  private static final Path ROOT = projectRoot();
  private static final Path K8S = ROOT.resolve("k8s");
  private static final Path BASE = K8S.resolve("base");

  /** The fallback topic of the outbox channel (rc-common); records always name their topic. */
  private static final String UNROUTED_TOPIC = "rc.unrouted";

  // --- kustomize ---------------------------------------------------------------------------------

  @Test
  void everyKustomizationReferencesFilesThatExistAndEveryManifestIsReferenced() throws IOException {
    List<Path> kustomizations;
    try (Stream<Path> files = Files.walk(K8S)) {
      kustomizations =
          files.filter(p -> p.getFileName().toString().equals("kustomization.yaml")).toList();
    }
    assertThat(kustomizations)
        .as("kustomizations")
        .contains(
            BASE.resolve("kustomization.yaml"),
            K8S.resolve("overlays/dev/kustomization.yaml"),
            K8S.resolve("overlays/prod/kustomization.yaml"));

    Set<Path> referenced = new TreeSet<>();
    List<String> problems = new ArrayList<>();
    for (Path kustomization : kustomizations) {
      Path dir = kustomization.getParent();
      Map<String, Object> k = Yaml.map(single(kustomization));
      List<String> refs = new ArrayList<>();
      for (String key : List.of("resources", "components", "crds")) {
        Yaml.list(k.get(key)).forEach(r -> refs.add(Yaml.str(r)));
      }
      for (Object patch : Yaml.list(k.get("patches"))) {
        Object path = Yaml.map(patch).get("path");
        if (path != null) {
          refs.add(Yaml.str(path));
        }
      }
      for (String generator : List.of("configMapGenerator", "secretGenerator")) {
        for (Object g : Yaml.list(k.get(generator))) {
          for (String key : List.of("envs", "files")) {
            for (Object f : Yaml.list(Yaml.map(g).get(key))) {
              String file = Yaml.str(f);
              refs.add(file.contains("=") ? file.substring(file.indexOf('=') + 1) : file);
            }
          }
        }
      }
      for (String ref : refs) {
        if (ref.contains("://") || ref.startsWith("github.com/")) {
          problems.add(K8S.relativize(kustomization) + ": remote reference " + ref);
          continue;
        }
        Path target = dir.resolve(ref).normalize();
        if (Files.isDirectory(target)) {
          if (!Files.exists(target.resolve("kustomization.yaml"))) {
            problems.add(
                K8S.relativize(kustomization)
                    + ": "
                    + ref
                    + " is a directory without kustomization");
          }
        } else if (!Files.isRegularFile(target)) {
          problems.add(K8S.relativize(kustomization) + ": " + ref + " does not exist");
        }
        referenced.add(target);
      }
    }
    assertThat(problems).as("broken kustomization references").isEmpty();

    List<Path> manifests;
    try (Stream<Path> files = Files.walk(K8S)) {
      manifests =
          files
              .filter(Files::isRegularFile)
              .filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return (name.endsWith(".yaml") || name.endsWith(".env"))
                        && !name.equals("kustomization.yaml");
                  })
              .toList();
    }
    assertThat(manifests)
        .as("manifests and env files that no kustomization uses")
        .allSatisfy(m -> assertThat(referenced).as(K8S.relativize(m).toString()).contains(m));
  }

  // --- the kubernetes provider's sandboxes ------------------------------------------------------

  private static final String SANDBOXES = "remote-claude-sandboxes";

  @Test
  void sandboxesLiveInTheirOwnRestrictedNamespaceDeniedAllTrafficByDefault() {
    List<Manifest> base = baseManifests();
    Manifest namespace = find(base, "Namespace", SANDBOXES);
    assertThat(stringMap(Yaml.at(namespace.doc(), "metadata", "labels")))
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
    Manifest deny = find(base, "NetworkPolicy", "sandboxes-default-deny");
    assertThat(Yaml.text(deny.doc(), "metadata", "namespace")).isEqualTo(SANDBOXES);
    assertThat(Yaml.map(Yaml.at(deny.doc(), "spec", "podSelector"))).as("every pod").isEmpty();
    assertThat(Yaml.list(Yaml.at(deny.doc(), "spec", "policyTypes")))
        .map(Yaml::str)
        .containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(Yaml.map(deny.doc().get("spec"))).doesNotContainKeys("ingress", "egress");
    for (Manifest m : base) {
      if (m.file().startsWith(BASE.resolve("sandboxes")) && !"Namespace".equals(m.kind())) {
        assertThat(Yaml.text(m.doc(), "metadata", "namespace"))
            .as(m.kind() + "/" + m.name() + " is in the sandboxes' namespace")
            .isEqualTo(SANDBOXES);
      }
    }
  }

  @Test
  void theGatewayMayManageSandboxesInTheirNamespaceAndNothingElse() throws IOException {
    List<Manifest> base = baseManifests();
    Manifest role = find(base, "Role", "sandbox-gateway");
    assertThat(Yaml.text(role.doc(), "metadata", "namespace")).isEqualTo(SANDBOXES);
    Map<String, Set<String>> verbsByResource = new java.util.HashMap<>();
    for (Object rule : Yaml.list(role.doc().get("rules"))) {
      List<String> verbs = Yaml.list(Yaml.map(rule).get("verbs")).stream().map(Yaml::str).toList();
      assertThat(verbs).as("no wildcard verbs").doesNotContain("*");
      for (Object resource : Yaml.list(Yaml.map(rule).get("resources"))) {
        assertThat(Yaml.str(resource)).as("no wildcard resources").isNotEqualTo("*");
        verbsByResource.computeIfAbsent(Yaml.str(resource), r -> new TreeSet<>()).addAll(verbs);
      }
    }
    assertThat(verbsByResource)
        .containsOnlyKeys(
            "pods",
            "pods/exec",
            "persistentvolumeclaims",
            "secrets",
            "networkpolicies",
            "volumesnapshots");
    for (String resource :
        List.of(
            "pods", "persistentvolumeclaims", "secrets", "networkpolicies", "volumesnapshots")) {
      assertThat(verbsByResource.get(resource)).as(resource).contains("get", "create", "delete");
    }
    assertThat(verbsByResource.get("pods/exec")).contains("create");

    Manifest binding = find(base, "RoleBinding", "sandbox-gateway");
    assertThat(Yaml.text(binding.doc(), "metadata", "namespace")).isEqualTo(SANDBOXES);
    assertThat(Yaml.text(binding.doc(), "roleRef", "kind")).isEqualTo("Role");
    assertThat(Yaml.text(binding.doc(), "roleRef", "name")).isEqualTo("sandbox-gateway");
    Map<String, Object> subject = Yaml.map(Yaml.list(binding.doc().get("subjects")).get(0));
    assertThat(Yaml.str(subject.get("kind"))).isEqualTo("ServiceAccount");
    assertThat(Yaml.str(subject.get("name")))
        .isEqualTo(
            Yaml.text(
                find(base, "Deployment", "sandbox-gateway").doc(),
                "spec",
                "template",
                "spec",
                "serviceAccountName"));
    assertThat(all(base, "ClusterRole")).as("no cluster-wide rights").isEmpty();
    assertThat(all(base, "ClusterRoleBinding")).as("no cluster-wide rights").isEmpty();

    // The overlays put the platform in their namespace but leave the sandboxes' alone, and bind
    // the gateway's account in the overlay's namespace.
    for (String overlay : List.of("dev", "prod")) {
      Map<String, Object> k =
          Yaml.map(single(K8S.resolve("overlays/" + overlay + "/kustomization.yaml")));
      assertThat(k).as(overlay + ": no plain namespace field").doesNotContainKey("namespace");
      Map<String, Object> transformer =
          Yaml.map(Yaml.parse(Yaml.str(Yaml.list(k.get("transformers")).get(0)), overlay).get(0));
      assertThat(Yaml.str(transformer.get("kind"))).isEqualTo("NamespaceTransformer");
      assertThat(Yaml.str(transformer.get("unsetOnly"))).isEqualTo("true");
      assertThat(Yaml.str(transformer.get("setRoleBindingSubjects")))
          .isEqualTo("allServiceAccounts");
    }

    // Only the gateway's pods get an API token.
    for (String service : services()) {
      Manifest deployment = find(base, "Deployment", service);
      assertThat(
              Yaml.str(
                  Yaml.at(
                      deployment.doc(),
                      "spec",
                      "template",
                      "spec",
                      "automountServiceAccountToken")))
          .as(service + ": automountServiceAccountToken")
          .isEqualTo(String.valueOf(service.equals("sandbox-gateway")));
    }
    assertThat(all(base, "NetworkPolicy"))
        .as("the gateway may reach the API server")
        .anySatisfy(p -> assertThat(p.name()).isEqualTo("sandbox-gateway-allow-kube-api"));
  }

  @Test
  void theGatewayUsesTheKubernetesProviderByDefaultWithSettingsItKnows() throws IOException {
    Properties env = envFile(BASE.resolve("config/sandbox-gateway.env"));
    assertThat(env.getProperty("GATEWAY_DEFAULT_PROVIDER")).isEqualTo("kubernetes");
    assertThat(env.getProperty("GATEWAY_KUBERNETES_ENABLED")).isEqualTo("true");
    assertThat(env.getProperty("GATEWAY_KUBERNETES_NAMESPACE")).isEqualTo(SANDBOXES);
    String config =
        Files.readString(
            ROOT.resolve(
                "sandbox-gateway/src/main/java/dev/remoteclaude/gateway/config/GatewayConfig.java"));
    String kubernetes = config.substring(config.indexOf("interface Kubernetes"));
    kubernetes = kubernetes.substring(0, kubernetes.indexOf("\n  }\n"));
    Set<String> settings = new TreeSet<>();
    Matcher method = Pattern.compile("\\s(\\w+)\\(\\);").matcher(kubernetes);
    while (method.find()) {
      settings.add(
          "GATEWAY_KUBERNETES_"
              + method.group(1).replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
    }
    assertThat(settings).contains("GATEWAY_KUBERNETES_NAMESPACE", "GATEWAY_KUBERNETES_IMAGE");
    for (String key : env.stringPropertyNames()) {
      if (key.startsWith("GATEWAY_KUBERNETES_")) {
        assertThat(settings).as(key + " is a setting of GatewayConfig.Kubernetes").contains(key);
      }
    }
  }

  // --- services ----------------------------------------------------------------------------------

  @Test
  void everyServiceHasADeploymentAServiceAndADisruptionBudget() {
    List<Manifest> base = baseManifests();
    for (String service : services()) {
      Manifest deployment = find(base, "Deployment", service);
      Manifest svc = find(base, "Service", service);
      Manifest pdb = find(base, "PodDisruptionBudget", service);

      Map<String, Object> podLabels =
          Yaml.map(Yaml.at(deployment.doc(), "spec", "template", "metadata", "labels"));
      assertThat(podLabels)
          .as(service + ": the Service selects the Deployment's pods")
          .containsAllEntriesOf(stringMap(Yaml.at(svc.doc(), "spec", "selector")));
      assertThat(podLabels)
          .as(service + ": the disruption budget selects the Deployment's pods")
          .containsAllEntriesOf(stringMap(Yaml.at(pdb.doc(), "spec", "selector", "matchLabels")));

      Map<String, Object> container =
          Yaml.map(
              Yaml.list(Yaml.at(deployment.doc(), "spec", "template", "spec", "containers"))
                  .get(0));
      Map<String, Object> port = Yaml.map(Yaml.list(container.get("ports")).get(0));
      assertThat(Yaml.str(port.get("name"))).isEqualTo("http");
      assertThat(Yaml.str(port.get("containerPort")))
          .as(service + ": the container port is the service's quarkus.http.port")
          .isEqualTo(applicationProperties(service).getProperty("quarkus.http.port"));
      assertThat(Yaml.text(container, "readinessProbe", "httpGet", "path"))
          .isEqualTo("/q/health/ready");
      assertThat(Yaml.text(container, "livenessProbe", "httpGet", "path"))
          .isEqualTo("/q/health/live");
      assertThat(Yaml.text(container, "securityContext", "readOnlyRootFilesystem"))
          .isEqualTo("true");
      assertThat(
              Yaml.str(
                  Yaml.at(
                      deployment.doc(),
                      "spec",
                      "template",
                      "spec",
                      "securityContext",
                      "runAsNonRoot")))
          .as(service + ": runAsNonRoot")
          .isEqualTo("true");
    }
  }

  @Test
  void everyServiceHasItsOwnDatabaseRoleAndCredentials() throws IOException {
    List<Manifest> base = baseManifests();
    Manifest cluster = single(base, "Cluster");
    String clusterName = cluster.name();
    Map<String, String> rolesToSecrets = new LinkedHashMap<>();
    for (Object role : Yaml.list(Yaml.at(cluster.doc(), "spec", "managed", "roles"))) {
      Map<String, Object> r = Yaml.map(role);
      rolesToSecrets.put(Yaml.str(r.get("name")), Yaml.text(r, "passwordSecret", "name"));
    }
    Map<String, String> databasesToOwners = new LinkedHashMap<>();
    for (Manifest db : all(base, "Database")) {
      assertThat(Yaml.text(db.doc(), "spec", "cluster", "name")).isEqualTo(clusterName);
      databasesToOwners.put(
          Yaml.text(db.doc(), "spec", "name"), Yaml.text(db.doc(), "spec", "owner"));
    }
    Set<String> kafkaUsers =
        all(base, "KafkaUser").stream().map(Manifest::name).collect(Collectors.toSet());

    Set<String> databasesSeen = new TreeSet<>();
    for (String service : services()) {
      String role = service.replace('-', '_');
      assertThat(rolesToSecrets)
          .as(service + ": its own PostgreSQL role, password from its own Secret")
          .containsEntry(role, "rc-db-" + service);

      Properties env = envFile(BASE.resolve("config/" + service + ".env"));
      String jdbc = env.getProperty("QUARKUS_DATASOURCE_JDBC_URL", "");
      String reactive = env.getProperty("QUARKUS_DATASOURCE_REACTIVE_URL", "");
      Matcher m =
          Pattern.compile("^jdbc:postgresql://" + clusterName + "-rw:5432/(\\w+)\\?.*")
              .matcher(jdbc);
      assertThat(m.matches())
          .as(service + ": JDBC URL points at " + clusterName + "-rw: " + jdbc)
          .isTrue();
      String database = m.group(1);
      assertThat(reactive)
          .as(service + ": reactive URL, same database")
          .startsWith("postgresql://" + clusterName + "-rw:5432/" + database);
      assertThat(databasesToOwners)
          .as(service + ": its own database, owned by its role")
          .containsEntry(database, role);
      assertThat(databasesSeen.add(database)).as("database " + database + " shared").isTrue();

      Set<String> secretRefs = secretKeyRefs(find(base, "Deployment", service));
      assertThat(secretRefs)
          .as(service + ": credentials from its own Secrets")
          .contains("rc-db-" + service + "/username", "rc-db-" + service + "/password")
          .contains("kafka-" + service + "/sasl.jaas.config");
      assertThat(kafkaUsers).as(service + ": its Kafka user").contains("kafka-" + service);
    }
  }

  // --- Ingress -----------------------------------------------------------------------------------

  record Route(String path, String service) {}

  @Test
  void ingressRoutesExactlyTheEdgeRoutersPaths() {
    List<Manifest> ingresses = all(parse(BASE.resolve("ingress.yaml")), "Ingress");
    List<Route> routes = ingressRoutes(ingresses);

    // ingress-nginx writes each path as `location ~* "^<path>"`: the router's "^" is implied.
    List<Route> expected = new ArrayList<>();
    EdgeRouter.ROUTES.forEach(
        (pattern, service) -> {
          assertThat(pattern.pattern()).startsWith("^");
          expected.add(new Route(pattern.pattern().substring(1), service));
        });
    assertThat(routes).containsExactlyInAnyOrderElementsOf(expected);

    Set<String> hosts = new TreeSet<>();
    Set<String> services =
        all(baseManifests(), "Service").stream().map(Manifest::name).collect(Collectors.toSet());
    for (Manifest ingress : ingresses) {
      assertThat(Yaml.text(ingress.doc(), "spec", "ingressClassName")).isEqualTo("nginx");
      assertThat(annotations(ingress))
          .as(ingress.name() + ": regex paths")
          .containsEntry("nginx.ingress.kubernetes.io/use-regex", "true");
      for (Object rule : Yaml.list(Yaml.at(ingress.doc(), "spec", "rules"))) {
        hosts.add(Yaml.str(Yaml.map(rule).get("host")));
        for (Object p : Yaml.list(Yaml.at(rule, "http", "paths"))) {
          assertThat(Yaml.str(Yaml.map(p).get("pathType"))).isEqualTo("ImplementationSpecific");
          assertThat(Yaml.text(p, "backend", "service", "port", "number")).isEqualTo("80");
          assertThat(services).contains(Yaml.text(p, "backend", "service", "name"));
        }
      }
    }
    assertThat(hosts).as("one host").hasSize(1);
  }

  @Test
  void webSocketIngressAllowsLongLivedConnections() {
    List<Manifest> ingresses = all(parse(BASE.resolve("ingress.yaml")), "Ingress");
    Manifest ws =
        ingresses.stream()
            .filter(
                i -> ingressRoutes(List.of(i)).stream().anyMatch(r -> r.path().startsWith("/ws/")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Ingress routes /ws/"));
    assertThat(ingressRoutes(List.of(ws)))
        .as("the WebSocket Ingress carries only WebSocket routes (its timeouts are long)")
        .allSatisfy(r -> assertThat(r.path()).startsWith("/ws/"));
    for (String timeout :
        List.of(
            "nginx.ingress.kubernetes.io/proxy-read-timeout",
            "nginx.ingress.kubernetes.io/proxy-send-timeout")) {
      assertThat(Integer.parseInt(annotations(ws).getOrDefault(timeout, "60")))
          .as(timeout)
          .isGreaterThanOrEqualTo(3600);
    }
  }

  /**
   * ingress-nginx tries regex locations in order of descending path length, case-insensitively,
   * anchored at the start; the edge router tries its routes in insertion order. Both must send
   * every path to the same service, and where two routes overlap the router's earlier (more
   * specific) one must also be the longer one.
   */
  @Test
  void ingressPrecedenceMatchesTheEdgeRouter() {
    List<Route> routes = ingressRoutes(all(parse(BASE.resolve("ingress.yaml")), "Ingress"));
    List<Route> nginxOrder = new ArrayList<>(routes);
    nginxOrder.sort(Comparator.comparingInt((Route r) -> r.path().length()).reversed());
    Map<Route, Pattern> compiled = new LinkedHashMap<>();
    routes.forEach(r -> compiled.put(r, Pattern.compile("^" + r.path(), Pattern.CASE_INSENSITIVE)));

    List<String> samples =
        List.of(
            "/api/v1/sessions",
            "/api/v1/sessions/",
            "/api/v1/sessions/3f2a",
            "/api/v1/sessions/3f2a/pause",
            "/api/v1/sessions/3f2a/resume",
            "/api/v1/sessions/3f2a/extend",
            "/api/v1/sessions/3f2a/tasks",
            "/api/v1/sessions/3f2a/tasks/",
            "/api/v1/sessions/3f2a/tasks/9b1c",
            "/api/v1/sessions/3f2a/taskstats",
            "/api/v1/sessions/3f2a/commands",
            "/api/v1/sessions/3f2a/commands/7",
            "/api/v1/sessions/3f2a/files",
            "/api/v1/sessions/3f2a/files/src/main/App.java",
            "/api/v1/sessions/3f2a/events",
            "/api/v1/sessions/3f2a/eventsx",
            "/api/v1/sessions/3f2a/git/pull",
            "/api/v1/sessions/3f2a/git/push",
            "/api/v1/sessions/3f2a/git",
            "/api/v1/sessions/3f2a/git/pull-request",
            "/api/v1/sessions/3f2a/pull-requests",
            "/api/v1/sessions/3f2a/pull-requests/12",
            "/api/v1/sessions/3f2a/pull-requestsx",
            "/api/v1/sessions/3f2a/github",
            "/api/v1/sessions/3f2a/x/tasks",
            "/api/v1/sessions/3f2a/x/git/push",
            "/api/v1/sessionsx",
            "/api/v1/tasks",
            "/api/v1/tasks/9b1c",
            "/api/v1/tasks/9b1c/cancel",
            "/api/v1/tasksx",
            "/api/v1/repositories",
            "/api/v1/repositories/r1/branches",
            "/api/v1/billing/usage",
            "/api/v1/billing/stripe/webhook",
            "/api/v1/webhooks/github/r1",
            "/api/v1/webhooksx",
            "/api/v1/audit",
            "/api/v1/audit?outcome=refused",
            "/api/v1/auditx",
            "/api/v1/settings",
            "/api/v1/settingsx",
            "/ws/sessions/3f2a",
            "/ws/",
            "/ws",
            "/",
            "/q/health",
            "/api/v1",
            "/api/v2/sessions");

    Set<Route> winners = new LinkedHashSet<>();
    for (String sample : samples) {
      Optional<Route> nginx =
          nginxOrder.stream().filter(r -> compiled.get(r).matcher(sample).find()).findFirst();
      assertThat(nginx.map(Route::service))
          .as("ingress-nginx vs EdgeRouter for " + sample)
          .isEqualTo(EdgeRouter.route(sample));
      nginx.ifPresent(winners::add);

      List<Route> matching =
          routes.stream().filter(r -> compiled.get(r).matcher(sample).find()).toList();
      for (Route a : matching) {
        for (Route b : matching) {
          if (a != b) {
            assertThat(a.path().length())
                .as("overlapping routes of equal length (order would be undefined): %s, %s", a, b)
                .isNotEqualTo(b.path().length());
          }
        }
      }
    }
    assertThat(winners).as("every route is exercised").containsExactlyInAnyOrderElementsOf(routes);

    // Same order of specificity: of two routes one sample reaches through both, the router's
    // earlier route is the longer one.
    List<String> routerOrder =
        EdgeRouter.ROUTES.keySet().stream().map(p -> p.pattern().substring(1)).toList();
    for (String sample : samples) {
      List<String> matching =
          routerOrder.stream()
              .filter(
                  p -> Pattern.compile("^" + p, Pattern.CASE_INSENSITIVE).matcher(sample).find())
              .toList();
      for (int i = 1; i < matching.size(); i++) {
        assertThat(matching.get(i - 1).length())
            .as(
                "%s is tried before %s by the router, so it must be longer",
                matching.get(i - 1), matching.get(i))
            .isGreaterThan(matching.get(i).length());
      }
    }
  }

  // --- the dashboard -----------------------------------------------------------------------------

  private static final Path DASHBOARD = BASE.resolve("dashboard");

  /**
   * The Ingress sends "/" (what no API route matches) to the dashboard, as the local edge serves
   * its files for what none of its routes match: with regex paths ingress-nginx tries "^/" last,
   * being the shortest.
   */
  @Test
  void theIngressSendsTheRootToTheDashboardAfterEveryApiRoute() {
    List<Manifest> base = baseManifests();
    List<Route> routes = ingressRoutes(all(base, "Ingress"));
    assertThat(routes.stream().filter(r -> r.path().equals("/")))
        .as("one route for /")
        .containsExactly(new Route("/", "dashboard"));
    assertThat(routes.stream().filter(r -> !r.path().equals("/")))
        .as("every other route is longer, so ingress-nginx tries it before /")
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.path().length()).isGreaterThan(1))
        .allSatisfy(r -> assertThat(r.service()).isNotEqualTo("dashboard"));
    assertThat(EdgeRouter.route("/")).as("the edge routes / to no service either").isEmpty();

    Manifest ingress =
        all(base, "Ingress").stream()
            .filter(i -> ingressRoutes(List.of(i)).contains(new Route("/", "dashboard")))
            .findFirst()
            .orElseThrow();
    assertThat(Yaml.text(ingress.doc(), "spec", "ingressClassName")).isEqualTo("nginx");
    assertThat(annotations(ingress)).containsEntry("nginx.ingress.kubernetes.io/use-regex", "true");
    Object path =
        Yaml.list(
                Yaml.at(Yaml.list(Yaml.at(ingress.doc(), "spec", "rules")).get(0), "http", "paths"))
            .get(0);
    assertThat(Yaml.text(path, "pathType")).isEqualTo("ImplementationSpecific");
    assertThat(Yaml.text(path, "backend", "service", "port", "number")).isEqualTo("80");

    Manifest svc = find(base, "Service", "dashboard");
    Manifest deployment = find(base, "Deployment", "dashboard");
    assertThat(stringMap(Yaml.at(deployment.doc(), "spec", "template", "metadata", "labels")))
        .containsAllEntriesOf(stringMap(Yaml.at(svc.doc(), "spec", "selector")));
    assertThat(Yaml.list(Yaml.at(svc.doc(), "spec", "ports")))
        .anyMatch(
            p -> "80".equals(Yaml.text(p, "port")) && "http".equals(Yaml.text(p, "targetPort")));
  }

  /** Non-root, read-only, no capabilities, no token, bounded; reached only from the Ingress. */
  @Test
  void theDashboardRunsNonRootOnAReadOnlyFileSystemAndTalksToNoOne() {
    List<Manifest> base = baseManifests();
    Manifest deployment = find(base, "Deployment", "dashboard");
    Object pod = Yaml.at(deployment.doc(), "spec", "template", "spec");
    assertThat(Yaml.text(pod, "securityContext", "runAsNonRoot")).isEqualTo("true");
    assertThat(Integer.parseInt(Yaml.text(pod, "securityContext", "runAsUser"))).isPositive();
    assertThat(Yaml.text(pod, "securityContext", "seccompProfile", "type"))
        .isEqualTo("RuntimeDefault");
    assertThat(Yaml.text(pod, "automountServiceAccountToken")).isEqualTo("false");
    assertThat(Yaml.list(Yaml.map(pod).get("initContainers"))).isEmpty();

    Map<String, Object> container = Yaml.map(Yaml.list(Yaml.map(pod).get("containers")).get(0));
    assertThat(Yaml.text(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo("true");
    assertThat(Yaml.text(container, "securityContext", "allowPrivilegeEscalation"))
        .isEqualTo("false");
    assertThat(Yaml.list(Yaml.at(container, "securityContext", "capabilities", "drop")))
        .containsExactly("ALL");
    assertThat(Yaml.at(container, "securityContext", "capabilities", "add")).isNull();
    for (String part : List.of("requests", "limits")) {
      for (String resource : List.of("cpu", "memory")) {
        assertThat(Yaml.at(container, "resources", part, resource))
            .as("resources." + part + "." + resource)
            .isNotNull();
      }
    }
    assertThat(Yaml.text(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
    assertThat(Yaml.text(container, "livenessProbe", "httpGet", "port")).isEqualTo("http");
    // Where nginx writes (pid, temporary files, the rendered server configuration): emptyDirs.
    Map<String, String> mounts = new LinkedHashMap<>();
    Yaml.list(container.get("volumeMounts"))
        .forEach(m -> mounts.put(Yaml.text(m, "mountPath"), Yaml.text(m, "name")));
    Map<String, Object> volumes = new LinkedHashMap<>();
    Yaml.list(Yaml.map(pod).get("volumes")).forEach(v -> volumes.put(Yaml.text(v, "name"), v));
    for (String writable : List.of("/tmp", "/etc/nginx/conf.d")) {
      assertThat(mounts).containsKey(writable);
      assertThat(Yaml.map(volumes.get(mounts.get(writable)))).containsKey("emptyDir");
    }
    assertThat(Yaml.text(volumes.get(mounts.get("/etc/rc/dashboard")), "configMap", "name"))
        .isEqualTo("dashboard-config");

    // Deny everything, then only the ingress controller in, on port http; nothing out.
    List<Manifest> policies =
        all(base, "NetworkPolicy").stream()
            .filter(
                p ->
                    "dashboard"
                        .equals(
                            Yaml.text(
                                p.doc(),
                                "spec",
                                "podSelector",
                                "matchLabels",
                                "app.kubernetes.io/name")))
            .toList();
    assertThat(policies)
        .anySatisfy(
            p -> {
              assertThat(Yaml.list(Yaml.at(p.doc(), "spec", "policyTypes")))
                  .containsExactlyInAnyOrder("Ingress", "Egress");
              assertThat(Yaml.at(p.doc(), "spec", "ingress")).isNull();
              assertThat(Yaml.at(p.doc(), "spec", "egress")).isNull();
            });
    for (Manifest policy : policies) {
      assertThat(Yaml.at(policy.doc(), "spec", "egress")).as(policy.name()).isNull();
      for (Object rule : Yaml.list(Yaml.at(policy.doc(), "spec", "ingress"))) {
        assertThat(Yaml.list(Yaml.map(rule).get("from")))
            .allSatisfy(
                from ->
                    assertThat(
                            Yaml.text(
                                from,
                                "namespaceSelector",
                                "matchLabels",
                                "kubernetes.io/metadata.name"))
                        .isEqualTo("ingress-nginx"));
        assertThat(Yaml.list(Yaml.map(rule).get("ports")))
            .allSatisfy(p -> assertThat(Yaml.text(p, "port")).isEqualTo("http"));
      }
    }
    // The dashboard's pods are not the services' (whose policies let them reach the database,
    // Kafka and HTTPS outside).
    assertThat(stringMap(Yaml.at(deployment.doc(), "spec", "template", "metadata", "labels")))
        .doesNotContainEntry("remote-claude.dev/role", "service");
  }

  /**
   * nginx sends the edge's Content-Security-Policy (only the issuer's origin added to connect-src),
   * and the sign-in settings name the issuer the services trust.
   */
  @Test
  void theDashboardHasTheEdgesPolicyAndSignsInAtTheServicesIssuer() throws IOException {
    String template = Files.readString(DASHBOARD.resolve("default.conf.template"));
    Matcher csp =
        Pattern.compile("add_header Content-Security-Policy \"([^\"]+)\" always;")
            .matcher(template);
    assertThat(csp.find()).as("a Content-Security-Policy header").isTrue();
    assertThat(csp.group(1).replace(" ${DASHBOARD_CONNECT_SRC}", ""))
        .isEqualTo(DashboardFiles.CONTENT_SECURITY_POLICY);
    assertThat(template)
        .contains("add_header X-Content-Type-Options nosniff always;")
        .contains("add_header Referrer-Policy no-referrer always;")
        .contains("alias /etc/rc/dashboard/config.json;");

    Map<String, Object> config =
        Yaml.map(
            Yaml.parse(Files.readString(DASHBOARD.resolve("config.json")), "config.json").get(0));
    String issuer = envFile(BASE.resolve("config/platform.env")).getProperty("RC_AUTH_ISSUER");
    assertThat(config)
        .containsEntry("mode", "oidc")
        .containsEntry("issuer", issuer)
        .containsKey("clientId");
    Map<String, Object> kustomization = Yaml.map(single(DASHBOARD.resolve("kustomization.yaml")));
    assertThat(Yaml.list(kustomization.get("configMapGenerator")))
        .anySatisfy(
            g -> {
              assertThat(Yaml.text(g, "name")).isEqualTo("dashboard-env");
              assertThat(Yaml.list(Yaml.map(g).get("literals")))
                  .contains(
                      "DASHBOARD_CONNECT_SRC="
                          + java.net.URI.create(issuer).getScheme()
                          + "://"
                          + java.net.URI.create(issuer).getAuthority());
            });
  }

  // --- Kafka -------------------------------------------------------------------------------------

  @Test
  void everyTopicOfTheCodeHasAKafkaTopicAndNoOther() throws IOException {
    Set<String> expected = new TreeSet<>(eventTopicOwners().keySet());
    for (String service : services()) {
      expected.add(deadLetterTopic(service));
      Properties props = applicationProperties(service);
      for (String key : props.stringPropertyNames()) {
        if (key.startsWith("mp.messaging.")
            && (key.endsWith(".topic") || key.endsWith(".dead-letter-queue.topic"))) {
          expected.add(props.getProperty(key));
        }
      }
    }
    expected.remove(UNROUTED_TOPIC);

    List<Manifest> topics = all(parse(BASE.resolve("kafka/topics.yaml")), "KafkaTopic");
    Set<String> declared = topics.stream().map(Manifest::name).collect(Collectors.toSet());
    assertThat(declared).containsExactlyInAnyOrderElementsOf(expected);
    for (Manifest topic : topics) {
      assertThat(Yaml.text(topic.doc(), "metadata", "labels", "strimzi.io/cluster"))
          .isEqualTo("rc-kafka");
      assertThat(Yaml.at(topic.doc(), "spec", "partitions")).isNotNull();
      assertThat(Yaml.at(topic.doc(), "spec", "replicas")).isNotNull();
      assertThat(Yaml.at(topic.doc(), "spec", "config", "retention.ms")).isNotNull();
    }
  }

  @Test
  void everyKafkaUserMayDoWhatItsServiceDoesAndNoMore() throws IOException {
    Map<String, String> owners = eventTopicOwners();
    List<Manifest> users = all(parse(BASE.resolve("kafka/users.yaml")), "KafkaUser");
    for (String service : services()) {
      Manifest user = find(users, "KafkaUser", "kafka-" + service);
      Set<String> grants = new TreeSet<>();
      for (Object acl : Yaml.list(Yaml.at(user.doc(), "spec", "authorization", "acls"))) {
        Map<String, Object> a = Yaml.map(acl);
        String resource = Yaml.text(a, "resource", "type") + ":" + Yaml.text(a, "resource", "name");
        for (Object op : Yaml.list(a.get("operations"))) {
          grants.add(resource + ":" + Yaml.str(op));
        }
      }

      Set<String> needed = new TreeSet<>();
      owners.forEach(
          (topic, owner) -> {
            if (owner.equals(service) || owner.equals(EVERY_SERVICE)) {
              needed.add("topic:" + topic + ":Write");
            }
          });
      Properties props = applicationProperties(service);
      for (String key : props.stringPropertyNames()) {
        Matcher incoming =
            Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic").matcher(key);
        if (incoming.matches()) {
          String channel = "mp.messaging.incoming." + incoming.group(1);
          needed.add("topic:" + props.getProperty(key) + ":Read");
          needed.add("group:" + props.getProperty(channel + ".group.id", service) + ":Read");
          String dlq = props.getProperty(channel + ".dead-letter-queue.topic");
          if (dlq != null) {
            needed.add("topic:" + dlq + ":Write");
            // The operators' dead-letter API reads it back (DeadLetterAdminResource).
            needed.add("topic:" + dlq + ":Read");
          }
        }
      }
      assertThat(grants)
          .as("kafka-" + service + " may do what " + service + " does")
          .containsAll(needed);

      Set<String> writes =
          grants.stream()
              .filter(g -> g.endsWith(":Write"))
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> allowedWrites = new TreeSet<>();
      owners.forEach(
          (topic, owner) -> {
            if (owner.equals(service) || owner.equals(EVERY_SERVICE)) {
              allowedWrites.add("topic:" + topic + ":Write");
            }
          });
      allowedWrites.add("topic:" + deadLetterTopic(service) + ":Write");
      assertThat(writes)
          .as("kafka-" + service + " writes only its own topic and dead-letter topic")
          .isSubsetOf(allowedWrites);
      assertThat(grants)
          .as("kafka-" + service + ": no cluster-wide or wildcard grants")
          .noneMatch(g -> g.startsWith("cluster:") || g.contains(":*:"));
    }
  }

  // --- secrets -----------------------------------------------------------------------------------

  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|API_KEY|APIKEY|JAAS|PRIVATE|CREDENTIAL).*");

  @Test
  void noSecretValueIsCommitted() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(K8S)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      String text = Files.readString(file);
      if (text.contains("-----BEGIN") && text.contains("PRIVATE KEY")) {
        problems.add(K8S.relativize(file) + ": a private key");
      }
      if (name.endsWith(".env")) {
        envFile(file)
            .stringPropertyNames()
            .forEach(
                key -> {
                  if (SECRET_NAME.matcher(key).matches() && !key.equals("RC_SECRETS_KEY_ID")) {
                    problems.add(K8S.relativize(file) + ": " + key + " belongs in a Secret");
                  }
                });
      }
      if (!name.endsWith(".yaml")) {
        continue;
      }
      for (Object document : Yaml.parse(text, file.toString())) {
        if (!(document instanceof Map<?, ?> doc)) {
          continue;
        }
        if ("Secret".equals(doc.get("kind"))
            && (doc.get("data") instanceof Map<?, ?> data && !data.isEmpty()
                || doc.get("stringData") instanceof Map<?, ?> stringData
                    && !stringData.isEmpty())) {
          problems.add(
              K8S.relativize(file) + ": Secret " + Yaml.at(doc, "metadata", "name") + " with data");
        }
        if (name.equals("kustomization.yaml") && doc.containsKey("secretGenerator")) {
          problems.add(K8S.relativize(file) + ": secretGenerator (its input would be in git)");
        }
        if (name.equals("kustomization.yaml") && doc.get("configMapGenerator") != null) {
          for (Object g : Yaml.list(doc.get("configMapGenerator"))) {
            for (Object literal : Yaml.list(Yaml.map(g).get("literals"))) {
              String key = Yaml.str(literal).split("=", 2)[0];
              if (SECRET_NAME.matcher(key).matches() && !key.equals("RC_SECRETS_KEY_ID")) {
                problems.add(K8S.relativize(file) + ": literal " + key + " belongs in a Secret");
              }
            }
          }
        }
        collectLiteralSecretEnv(doc, K8S.relativize(file).toString(), problems);
      }
    }
    assertThat(problems).isEmpty();
  }

  /** Container env entries with a secret-sounding name must come from a Secret, not a value. */
  private static void collectLiteralSecretEnv(Object node, String where, List<String> problems) {
    if (node instanceof Map<?, ?> map) {
      if (map.get("env") instanceof List<?> env) {
        for (Object e : env) {
          if (e instanceof Map<?, ?> entry
              && entry.get("name") instanceof String name
              && entry.containsKey("value")
              && SECRET_NAME.matcher(name).matches()) {
            problems.add(where + ": env " + name + " has a literal value");
          }
        }
      }
      map.values().forEach(v -> collectLiteralSecretEnv(v, where, problems));
    } else if (node instanceof List<?> list) {
      list.forEach(v -> collectLiteralSecretEnv(v, where, problems));
    }
  }

  // --- observability -----------------------------------------------------------------------------

  private static final Path OBSERVABILITY = BASE.resolve("observability");

  /** Where Prometheus runs: the only namespace that may reach the services' metrics port. */
  private static final String MONITORING = "monitoring";

  @Test
  void everyServiceServesItsMetricsOnAPortOnlyPrometheusReaches() {
    List<Manifest> base = baseManifests();
    String managementPort =
        load(ROOT.resolve("common/core/src/main/resources/META-INF/microprofile-config.properties"))
            .getProperty("quarkus.management.port");
    for (String service : services()) {
      Map<String, Object> container =
          Yaml.map(
              Yaml.list(
                      Yaml.at(
                          find(base, "Deployment", service).doc(),
                          "spec",
                          "template",
                          "spec",
                          "containers"))
                  .get(0));
      assertThat(Yaml.list(container.get("ports")))
          .as(service + ": a container port named metrics on quarkus.management.port")
          .anyMatch(
              p ->
                  "metrics".equals(Yaml.text(p, "name"))
                      && managementPort.equals(Yaml.text(p, "containerPort")));
      assertThat(Yaml.list(Yaml.at(find(base, "Service", service).doc(), "spec", "ports")))
          .as(service + ": the Service exposes the metrics port")
          .anyMatch(
              p ->
                  "metrics".equals(Yaml.text(p, "name"))
                      && "metrics".equals(Yaml.text(p, "targetPort")));
    }

    // The Ingress sends clients to the services' http port only (see ingressRoutes...).
    for (Manifest ingress : all(base, "Ingress")) {
      for (Object rule : Yaml.list(Yaml.at(ingress.doc(), "spec", "rules"))) {
        for (Object p : Yaml.list(Yaml.at(rule, "http", "paths"))) {
          assertThat(Yaml.text(p, "backend", "service", "port", "number")).isNotEqualTo("9000");
        }
      }
    }

    // Every policy that lets traffic in on the metrics port admits Prometheus' namespace only.
    List<Manifest> toMetrics = new ArrayList<>();
    for (Manifest policy : all(base, "NetworkPolicy")) {
      for (Object rule : Yaml.list(Yaml.at(policy.doc(), "spec", "ingress"))) {
        boolean metrics =
            Yaml.list(Yaml.map(rule).get("ports")).stream()
                .anyMatch(
                    p ->
                        "metrics".equals(Yaml.text(p, "port"))
                            || managementPort.equals(Yaml.text(p, "port")));
        if (!metrics) {
          continue;
        }
        toMetrics.add(policy);
        assertThat(Yaml.list(Yaml.map(rule).get("from")))
            .as(policy.name() + ": who reaches the metrics port")
            .isNotEmpty()
            .allSatisfy(
                from ->
                    assertThat(
                            Yaml.text(
                                from,
                                "namespaceSelector",
                                "matchLabels",
                                "kubernetes.io/metadata.name"))
                        .isEqualTo(MONITORING));
      }
    }
    assertThat(toMetrics)
        .extracting(Manifest::name)
        .containsExactly("rc-services-allow-prometheus");

    Manifest monitor = single(all(base, "ServiceMonitor"), "ServiceMonitor");
    Map<String, Object> endpoint =
        Yaml.map(Yaml.list(Yaml.at(monitor.doc(), "spec", "endpoints")).get(0));
    assertThat(Yaml.str(endpoint.get("port"))).isEqualTo("metrics");
    assertThat(Yaml.str(endpoint.get("path"))).isEqualTo("/q/metrics");
    assertThat(stringMap(Yaml.at(monitor.doc(), "spec", "selector", "matchLabels")))
        .containsEntry("remote-claude.dev/role", "service");
  }

  /** Meters the services get from their Quarkus extensions rather than from this code. */
  private static final Set<String> FRAMEWORK_METRICS =
      Set.of(
          // quarkus-micrometer's HTTP server binder
          "http_server_requests_seconds",
          // the Kafka client's own metrics (asserted present by rc-common's ObservabilityTest)
          "kafka_consumer_fetch_manager_records_lag_max");

  @Test
  void everyAlertAndDashboardQueryNamesMetricsTheServicesExport() throws IOException {
    Set<String> exported = new TreeSet<>(FRAMEWORK_METRICS);
    exported.addAll(registeredMeters());
    assertThat(exported).as("meters registered by the code").contains("rc_outbox_backlog");

    List<String> expressions = new ArrayList<>();
    Manifest rules =
        single(parse(OBSERVABILITY.resolve("prometheus-rules.yaml")), "PrometheusRule");
    List<String> alerts = new ArrayList<>();
    for (Object group : Yaml.list(Yaml.at(rules.doc(), "spec", "groups"))) {
      for (Object rule : Yaml.list(Yaml.map(group).get("rules"))) {
        alerts.add(Yaml.text(rule, "alert"));
        expressions.add(Yaml.text(rule, "expr"));
      }
    }
    assertThat(alerts)
        .as("the product description's thresholds")
        .contains(
            "RcSessionStartSlow", "RcHttpErrorRateHigh", "RcCostPerSessionHigh", "RcDatabaseSlow");
    new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(OBSERVABILITY.resolve("grafana-dashboard.json").toFile())
        .findValues("expr")
        .forEach(expr -> expressions.add(expr.asText()));

    Pattern metric = Pattern.compile("\\b((?:rc|http|kafka)_[a-z0-9_]+)\\b");
    List<String> unknown = new ArrayList<>();
    for (String expr : expressions) {
      Matcher m = metric.matcher(expr);
      while (m.find()) {
        String name = m.group(1).replaceAll("_(bucket|count|sum|max|total)$", "");
        if (!exported.contains(name) && !exported.contains(m.group(1))) {
          unknown.add(m.group(1) + " in " + expr);
        }
      }
    }
    assertThat(unknown).as("metrics no service exports").isEmpty();
  }

  @Test
  void everyAutoscalerScalesOnItsLoadAndOnMetricsTheAdapterServesFromExportedSeries()
      throws IOException {
    Path prod = K8S.resolve("overlays/prod");
    Map<String, Object> adapter = Yaml.map(single(prod.resolve("prometheus-adapter-rules.yaml")));
    Set<String> exported = new TreeSet<>(FRAMEWORK_METRICS);
    exported.addAll(registeredMeters());
    Set<String> served = new TreeSet<>();
    Pattern series = Pattern.compile("^([a-z_]+)\\{");
    for (Object rule : Yaml.list(adapter.get("rules"))) {
      Matcher m = series.matcher(Yaml.text(rule, "seriesQuery"));
      assertThat(m.find()).as("a series query names its series").isTrue();
      String name = m.group(1);
      assertThat(exported.contains(name) || exported.contains(name.replaceAll("_(count|max)$", "")))
          .as(name + " is exported by a service")
          .isTrue();
      served.add(Yaml.text(rule, "name", "as"));
    }

    Map<String, Set<String>> signals = new TreeMap<>();
    for (Manifest hpa : all(parse(prod.resolve("hpa.yaml")), "HorizontalPodAutoscaler")) {
      Set<String> metrics = new TreeSet<>();
      for (Object metric : Yaml.list(Yaml.at(hpa.doc(), "spec", "metrics"))) {
        String type = Yaml.text(metric, "type");
        metrics.add(
            type.equals("Resource")
                ? Yaml.text(metric, "resource", "name")
                : Yaml.text(metric, "pods", "metric", "name"));
      }
      signals.put(Yaml.text(hpa.doc(), "spec", "scaleTargetRef", "name"), metrics);
    }
    assertThat(signals.keySet()).containsExactlyInAnyOrderElementsOf(services());
    signals.forEach(
        (service, metrics) -> {
          assertThat(metrics)
              .as(service + " scales on more than CPU")
              .contains("cpu")
              .hasSizeGreaterThan(1);
          metrics.stream()
              .filter(m -> !m.equals("cpu"))
              .forEach(
                  m ->
                      assertThat(served)
                          .as(service + ": " + m + " has an adapter rule")
                          .contains(m));
        });
    assertThat(signals.get("session-service")).contains("rc_http_requests_per_second");
    assertThat(signals.get("billing-service")).contains("rc_kafka_consumer_lag");
    assertThat(signals.get("sandbox-gateway")).contains("rc_kafka_consumer_lag");
  }

  @Test
  void productionArchivesWalAndBacksUpNightlyToTheObjectStore() {
    Path prod = K8S.resolve("overlays/prod");
    Manifest store = single(parse(prod.resolve("backups.yaml")), "ObjectStore");
    Manifest schedule = single(parse(prod.resolve("backups.yaml")), "ScheduledBackup");
    Manifest cluster = single(parse(prod.resolve("postgres.yaml")), "Cluster");
    List<Object> plugins = Yaml.list(Yaml.at(cluster.doc(), "spec", "plugins"));
    assertThat(plugins).hasSize(1);
    assertThat(Yaml.text(plugins.getFirst(), "isWALArchiver")).isEqualTo("true");
    assertThat(Yaml.text(plugins.getFirst(), "parameters", "barmanObjectName"))
        .isEqualTo(store.name());
    // RPO 15 minutes: a WAL segment is shipped at least this often however quiet the database.
    String timeout =
        Yaml.text(cluster.doc(), "spec", "postgresql", "parameters", "archive_timeout");
    assertThat(timeout).matches("\\d+min");
    assertThat(Integer.parseInt(timeout.replace("min", ""))).isLessThanOrEqualTo(15);
    assertThat(Yaml.text(schedule.doc(), "spec", "cluster", "name")).isEqualTo(cluster.name());
    assertThat(Yaml.text(schedule.doc(), "spec", "method")).isEqualTo("plugin");
    assertThat(Yaml.text(schedule.doc(), "spec", "pluginConfiguration", "name"))
        .isEqualTo(Yaml.text(plugins.getFirst(), "name"));
    assertThat(Yaml.text(store.doc(), "spec", "retentionPolicy")).isNotBlank();
  }

  /**
   * The Prometheus names of the meters the services' code registers with Micrometer ({@code
   * Gauge/Timer/Counter.builder("rc.x.y")} and {@code Metrics.counter("rc.x.y")}): dots become
   * underscores, a timer gains {@code _seconds}, a gauge its base unit.
   */
  private static Set<String> registeredMeters() throws IOException {
    Pattern builder =
        Pattern.compile("(Gauge|Timer|Counter)\\.builder\\(\\s*\"([a-z.]+)\"([^;]*);");
    Pattern baseUnit = Pattern.compile("\\.baseUnit\\(\"([a-z]+)\"\\)");
    Pattern shorthand = Pattern.compile("Metrics\\.counter\\(\\s*\"([a-z.]+)\"");
    Set<String> names = new TreeSet<>();
    List<Path> roots = new ArrayList<>();
    roots.add(ROOT.resolve("common/core/src/main/java"));
    services().forEach(service -> roots.add(ROOT.resolve(service).resolve("src/main/java")));
    for (Path root : roots) {
      List<Path> sources;
      try (Stream<Path> files = Files.walk(root)) {
        sources = files.filter(p -> p.toString().endsWith(".java")).toList();
      }
      for (Path source : sources) {
        String text = Files.readString(source);
        Matcher m = builder.matcher(text);
        while (m.find()) {
          String name = m.group(2).replace('.', '_');
          Matcher unit = baseUnit.matcher(m.group(3));
          names.add(
              switch (m.group(1)) {
                case "Timer" -> name + "_seconds";
                case "Gauge" -> unit.find() ? name + "_" + unit.group(1) : name;
                default -> name;
              });
        }
        Matcher c = shorthand.matcher(text);
        while (c.find()) {
          names.add(c.group(1).replace('.', '_'));
        }
      }
    }
    return names;
  }

  // --- helpers -----------------------------------------------------------------------------------

  record Manifest(Path file, Map<String, Object> doc) {
    String kind() {
      return Yaml.str(doc.get("kind"));
    }

    String name() {
      return Yaml.text(doc, "metadata", "name");
    }
  }

  /** The routed services and the services the launcher runs: every one of them gets deployed. */
  private static Set<String> services() {
    Set<String> services = new TreeSet<>(EdgeRouter.ROUTES.values());
    services.addAll(Platform.SERVICES);
    return services;
  }

  private static List<Manifest> baseManifests() {
    return manifestsOf(BASE);
  }

  /** The resources a kustomization lists, a directory's (another kustomization) included. */
  private static List<Manifest> manifestsOf(Path dir) {
    Map<String, Object> kustomization = Yaml.map(single(dir.resolve("kustomization.yaml")));
    List<Manifest> manifests = new ArrayList<>();
    for (Object resource : Yaml.list(kustomization.get("resources"))) {
      Path target = dir.resolve(Yaml.str(resource));
      manifests.addAll(Files.isDirectory(target) ? manifestsOf(target) : parse(target));
    }
    return manifests;
  }

  private static List<Manifest> parse(Path file) {
    try {
      List<Manifest> manifests = new ArrayList<>();
      for (Object doc : Yaml.parse(Files.readString(file), file.toString())) {
        if (doc != null) {
          manifests.add(new Manifest(file, Yaml.map(doc)));
        }
      }
      return manifests;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object single(Path file) {
    List<Manifest> docs = parse(file);
    assertThat(docs).as(file.toString()).hasSize(1);
    return docs.get(0).doc();
  }

  private static List<Manifest> all(List<Manifest> manifests, String kind) {
    return manifests.stream().filter(m -> kind.equals(m.kind())).toList();
  }

  private static Manifest single(List<Manifest> manifests, String kind) {
    List<Manifest> found = all(manifests, kind);
    assertThat(found).as("one " + kind).hasSize(1);
    return found.get(0);
  }

  private static Manifest find(List<Manifest> manifests, String kind, String name) {
    return manifests.stream()
        .filter(m -> kind.equals(m.kind()) && name.equals(m.name()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in k8s/base"));
  }

  private static List<Route> ingressRoutes(List<Manifest> ingresses) {
    List<Route> routes = new ArrayList<>();
    for (Manifest ingress : ingresses) {
      for (Object rule : Yaml.list(Yaml.at(ingress.doc(), "spec", "rules"))) {
        for (Object p : Yaml.list(Yaml.at(rule, "http", "paths"))) {
          routes.add(
              new Route(
                  Yaml.str(Yaml.map(p).get("path")), Yaml.text(p, "backend", "service", "name")));
        }
      }
    }
    return routes;
  }

  private static Map<String, String> annotations(Manifest manifest) {
    return stringMap(Yaml.at(manifest.doc(), "metadata", "annotations"));
  }

  private static Map<String, String> stringMap(Object node) {
    Map<String, String> out = new LinkedHashMap<>();
    Yaml.map(node).forEach((k, v) -> out.put(k, Yaml.str(v)));
    return out;
  }

  /** "secret/key" of every secretKeyRef in a Deployment's containers. */
  private static Set<String> secretKeyRefs(Manifest deployment) {
    Set<String> refs = new TreeSet<>();
    for (Object c :
        Yaml.list(Yaml.at(deployment.doc(), "spec", "template", "spec", "containers"))) {
      for (Object e : Yaml.list(Yaml.map(c).get("env"))) {
        Object ref = Yaml.at(e, "valueFrom", "secretKeyRef");
        if (ref != null) {
          refs.add(Yaml.str(Yaml.map(ref).get("name")) + "/" + Yaml.str(Yaml.map(ref).get("key")));
        }
      }
    }
    return refs;
  }

  private static Properties applicationProperties(String service) {
    return load(ROOT.resolve(service).resolve("src/main/resources/application.properties"));
  }

  /** A kustomize env file (KEY=VALUE lines, # comments) read as properties. */
  private static Properties envFile(Path file) throws IOException {
    Properties props = new Properties();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      assertThat(eq).as(file + ": " + line).isPositive();
      props.setProperty(trimmed.substring(0, eq), trimmed.substring(eq + 1));
    }
    return props;
  }

  private static Properties load(Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      props.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props;
  }

  private static String topicsSource() {
    try {
      return Files.readString(
          ROOT.resolve("common/core/src/main/java/dev/remoteclaude/common/events/Topics.java"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@link #eventTopicOwners()} gives a topic that every service writes (the audit trail). */
  private static final String EVERY_SERVICE = "every service";

  /**
   * Topics.java's event topics and their producer ("Written only by <service>.", or "Written by
   * every service:" as {@link #EVERY_SERVICE}).
   */
  private static Map<String, String> eventTopicOwners() {
    Matcher m =
        Pattern.compile(
                "/\\*\\*\\s*Written (?:only by ([a-z-]+)\\.|by every service:)[^/]*\\*/\\s*"
                    + "public static final String \\w+ = \"([^\"]+)\";")
            .matcher(topicsSource());
    Map<String, String> owners = new LinkedHashMap<>();
    while (m.find()) {
      owners.put(m.group(2), m.group(1) == null ? EVERY_SERVICE : m.group(1));
    }
    long constants =
        Pattern.compile("public static final String \\w+ = \"")
            .matcher(topicsSource())
            .results()
            .count();
    assertThat(owners)
        .as("every topic constant of Topics.java names its producer (\"Written only by ...\")")
        .hasSize((int) constants);
    Set<String> producers = new TreeSet<>(services());
    producers.add(EVERY_SERVICE);
    assertThat(owners.values()).allSatisfy(owner -> assertThat(producers).contains(owner));
    return owners;
  }

  /** Topics.deadLetter(service), read from its source: "<prefix>" + service. */
  private static String deadLetterTopic(String service) {
    Matcher m =
        Pattern.compile("deadLetter\\(String service\\)\\s*\\{\\s*return \"([^\"]+)\" \\+ service;")
            .matcher(topicsSource());
    assertThat(m.find()).as("Topics.deadLetter(service) is \"<prefix>\" + service").isTrue();
    return m.group(1) + service;
  }

  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(
          dir.resolve("common/core/src/main/java/dev/remoteclaude/common/events/Topics.java"))) {
        assertThat(dir.resolve("k8s/base/kustomization.yaml")).as("k8s/ of the project").exists();
        return dir;
      }
      dir = dir.getParent();
    }
    throw new AssertionError("project root not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * The manifests read with Jackson's YAML reader (SnakeYAML underneath): every document of a
   * multi-document file ("---"), as maps, lists and scalars. Duplicate keys fail the read (kubectl
   * rejects them too) rather than one silently winning. Numbers and booleans come back as such;
   * {@link #str} gives any scalar as its text, so a test compares {@code containerPort} or {@code
   * readOnlyRootFilesystem} as the manifest writes them.
   */
  static final class Yaml {

    private static final ObjectReader READER =
        YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build()
            .readerFor(Object.class);

    private Yaml() {}

    /** Every non-empty document of {@code text}, in order; {@code source} names it in errors. */
    static List<Object> parse(String text, String source) {
      try (MappingIterator<Object> documents = READER.readValues(text)) {
        List<Object> out = new ArrayList<>();
        while (documents.hasNextValue()) {
          Object document = documents.nextValue();
          if (document != null) {
            out.add(document);
          }
        }
        return out;
      } catch (IOException e) {
        throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
      }
    }

    // Navigation.

    static Object at(Object node, Object... path) {
      Object current = node;
      for (Object step : path) {
        if (current instanceof Map<?, ?> map && step instanceof String key) {
          current = map.get(key);
        } else if (current instanceof List<?> list && step instanceof Integer index) {
          current = index < list.size() ? list.get(index) : null;
        } else {
          return null;
        }
      }
      return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
      if (node == null) {
        return Map.of();
      }
      if (!(node instanceof Map<?, ?>)) {
        throw new AssertionError("expected a mapping, found " + node);
      }
      return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node) {
      if (node == null) {
        return List.of();
      }
      if (!(node instanceof List<?>)) {
        throw new AssertionError("expected a sequence, found " + node);
      }
      return (List<Object>) node;
    }

    /** The scalar at {@code path} below {@code node}, or null. */
    static String text(Object node, Object... path) {
      return str(at(node, path));
    }

    static String str(Object node) {
      if (node == null) {
        return null;
      }
      if (node instanceof Map<?, ?> || node instanceof List<?>) {
        throw new AssertionError("expected a scalar, found " + node);
      }
      return node.toString();
    }
  }
}
