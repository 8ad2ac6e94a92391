package dev.remoteclaude.testing;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Throws random and boundary input at every operation of the service under test and checks that it
 * answers like a well-behaved API: never a 5xx, every 4xx with a body an RFC 9457 {@code
 * application/problem+json} without a stack trace, a Java class name or an exception's text, and
 * every operation 401 without a token.
 *
 * <p>The operations come from the service's own OpenAPI document ({@code /q/openapi}), so a new
 * endpoint is fuzzed the day it is added. For each operation it sends: boundary and hostile path
 * parameters (empty, huge, unicode, {@code ..}, {@code %00}, overflowing numbers, non-UUIDs), query
 * parameters (page and size boundaries, wrong types), and bodies (malformed JSON, each field with
 * the wrong type or null, huge strings, a 100k-element array, objects and arrays nested 10k deep, a
 * body over the server's size limit), then as many random combinations of these as asked. The
 * random choices come from one seed, printed with every failure: {@code -Drc.fuzz.seed=<seed>}
 * replays the same run.
 *
 * <pre>{@code
 * @QuarkusTest
 * class FuzzTest {
 *   @Test
 *   void everyEndpointAnswersBadInputWithAProblem() {
 *     EndpointFuzzer.forService().run();
 *   }
 * }
 * }</pre>
 */
public final class EndpointFuzzer {

  private static final List<String> METHODS = List.of("get", "post", "put", "patch", "delete");

  /** Path parameter values, sent percent-encoded. */
  private static final List<String> PATH_VALUES =
      List.of(
          " ",
          "0",
          "-1",
          "2147483648",
          "-9223372036854775809",
          "99999999999999999999999",
          "1e309",
          "NaN",
          "..",
          "../../etc/passwd",
          "not-a-uuid",
          "00000000-0000-0000-0000-00000000000g",
          "ü☃😀",
          "null",
          "' OR '1'='1",
          "<script>",
          "a".repeat(5000),
          "\u0000");

  /** Path parameter values sent as they are (already escapes, or characters to keep raw). */
  private static final List<String> RAW_PATH_VALUES =
      List.of("%00", "%ff", "%2e%2e", "..", "%2F", "%", "%u0000", ";x=1");

  private static final List<String> QUERY_VALUES =
      List.of(
          "",
          "-1",
          "0",
          "1",
          "2147483647",
          "2147483648",
          "-2147483649",
          "9223372036854775808",
          "1.5",
          "abc",
          "true",
          "ü☃",
          "%00",
          "a".repeat(5000));

  private static final List<String> MALFORMED_BODIES =
      List.of(
          "",
          "{",
          "}",
          "[",
          "nul",
          "{\"a\":}",
          "{\"a\" 1}",
          "{'single': 'quotes'}",
          "{\"a\":1,}",
          "\u0000",
          "\uFEFF{}",
          "{}",
          "[]",
          "null",
          "123",
          "-1e999",
          "\"a string\"",
          "true",
          "{\"\\ud800\": \"\\udfff\"}",
          "{\"a\": \"\\u0000\"}",
          "{\"a\":1}{\"b\":2}");

  /** Wrong values for a field, whatever its type. */
  private static final List<String> FIELD_VALUES =
      List.of(
          "null",
          "\"\"",
          "\"x\"",
          "-1",
          "0",
          "2147483648",
          "9223372036854775808",
          "1e400",
          "-0.5",
          "true",
          "[]",
          "[null]",
          "{}",
          "{\"a\":{}}",
          "\"ü☃😀\"",
          "\"" + "x".repeat(100_000) + "\"");

  private static final Pattern LEAK =
      Pattern.compile(
          "(?:\\b(?:java|javax|jakarta|org|io|com|dev|sun|jdk)\\.[a-z][a-z0-9_]*\\.[A-Za-z0-9_.$]+"
              + "|Exception\\b|\\bat [a-z][\\w.$]+\\(|Caused by|\\bSQLSTATE\\b|\\bpg_\\w+|"
              + "Hibernate|Jackson|Vert\\.x|\\.java:\\d+)");

  /** What one request was: enough to send it again by hand. */
  public record Case(
      String operation,
      String method,
      String path,
      String query,
      String contentType,
      String body,
      String token,
      String what,
      String accept) {
    Case(
        String operation,
        String method,
        String path,
        String query,
        String contentType,
        String body,
        String token,
        String what) {
      this(operation, method, path, query, contentType, body, token, what, "application/json");
    }

    Case withPath(String other) {
      return new Case(operation, method, other, query, contentType, body, token, what, accept);
    }
  }

  /** A response that broke a rule. */
  public record Failure(Case request, int status, String contentType, String body, String rule) {
    @Override
    public String toString() {
      String shown = body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
      return String.format(
          "%s %s%s (%s; body %s) -> %d %s: %s%n    %s",
          request.method().toUpperCase(Locale.ROOT),
          abbreviate(request.path()),
          request.query().isEmpty() ? "" : "?" + abbreviate(request.query()),
          request.what(),
          request.body() == null ? "none" : abbreviate(request.body()),
          status,
          contentType,
          rule,
          shown.replace("\n", " "));
    }
  }

  private record Parameter(String name, String in, Map<String, Object> schema) {}

  private record Operation(
      String method,
      String path,
      List<Parameter> parameters,
      Map<String, Object> bodySchema,
      boolean hasBody,
      String consumes,
      String produces) {
    String name() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  private final long seed;
  private final Random random;
  private final Map<String, List<String>> knownPathValues = new LinkedHashMap<>();
  private final List<Pattern> skipped = new ArrayList<>();
  private final List<Pattern> unauthenticated = new ArrayList<>();
  private String userToken = Tokens.forUser("fuzz-" + UUID.randomUUID());
  private String operatorToken = Tokens.operator("fuzz-operator-" + UUID.randomUUID());
  private int randomCasesPerOperation = 25;
  private Duration requestTimeout = Duration.ofSeconds(30);
  private Map<String, Object> components = Map.of();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private EndpointFuzzer(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  /**
   * A fuzzer of the service the test runs against (RestAssured's base URI and port, which
   * {@code @QuarkusTest} sets), seeded from {@code -Drc.fuzz.seed} or at random.
   */
  public static EndpointFuzzer forService() {
    String fixed = System.getProperty("rc.fuzz.seed");
    return new EndpointFuzzer(
        fixed == null || fixed.isBlank() ? new Random().nextLong() : Long.parseLong(fixed.trim()));
  }

  /** A real value for a path parameter (an existing id of the test's user), tried half the time. */
  public EndpointFuzzer pathValue(String parameter, String value) {
    knownPathValues.computeIfAbsent(parameter, p -> new ArrayList<>()).add(value);
    return this;
  }

  /** The user whose token the authenticated requests carry (default: a fresh random user). */
  public EndpointFuzzer asUser(String userId) {
    this.userToken = Tokens.forUser(userId);
    return this;
  }

  /** Random combinations per operation, on top of the systematic cases (default 25). */
  public EndpointFuzzer randomCases(int perOperation) {
    this.randomCasesPerOperation = perOperation;
    return this;
  }

  /** Leaves out the operations whose {@code "METHOD /path"} matches (say, one that waits long). */
  /**
   * Operations (their {@code "METHOD /path"}) that take no bearer token because something else
   * authenticates them ({@code how}, say a signature): without a token they are still fuzzed, and
   * must still answer a problem+json 4xx, but not necessarily 401.
   */
  public EndpointFuzzer authenticatedOtherwise(String operationRegex, String how) {
    unauthenticated.add(Pattern.compile(operationRegex));
    System.out.println("EndpointFuzzer: " + operationRegex + " takes no bearer token: " + how);
    return this;
  }

  public EndpointFuzzer skip(String operationRegex) {
    skipped.add(Pattern.compile(operationRegex));
    return this;
  }

  public long seed() {
    return seed;
  }

  /** Fuzzes every operation; fails with every broken rule (and the seed) if any. */
  public void run() {
    List<Operation> operations = operations();
    if (operations.isEmpty()) {
      throw new AssertionError("the OpenAPI document lists no /api operation to fuzz");
    }
    List<Failure> failures = new ArrayList<>();
    long started = System.nanoTime();
    int sent = 0;
    for (Operation operation : operations) {
      for (Case c : cases(operation)) {
        sent++;
        Failure failure = send(c);
        if (failure != null) {
          failures.add(failure);
        }
      }
    }
    System.out.printf(
        "EndpointFuzzer: %d requests to %d operations in %d s, seed %d, %d failures%n",
        sent,
        operations.size(),
        Duration.ofNanos(System.nanoTime() - started).toSeconds(),
        seed,
        failures.size());
    if (!failures.isEmpty()) {
      Set<String> distinct = new LinkedHashSet<>();
      for (Failure failure : failures) {
        distinct.add(failure.toString());
      }
      StringBuilder message =
          new StringBuilder()
              .append(failures.size())
              .append(" of ")
              .append(sent)
              .append(" fuzzed requests broke the rules (replay with -Drc.fuzz.seed=")
              .append(seed)
              .append("):\n");
      distinct.stream().limit(40).forEach(f -> message.append("  ").append(f).append('\n'));
      throw new AssertionError(message.toString());
    }
  }

  // --- the operations ---------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private List<Operation> operations() {
    String document =
        RestAssured.given()
            .accept("application/json")
            .queryParam("format", "json")
            .get("/q/openapi")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    JsonPath json = JsonPath.from(document);
    Map<String, Object> paths = json.getMap("paths");
    Map<String, Object> comps = json.getMap("components.schemas");
    components = comps == null ? Map.of() : comps;
    List<Operation> operations = new ArrayList<>();
    for (Map.Entry<String, Object> path : paths.entrySet()) {
      if (!path.getKey().startsWith("/api/")) {
        continue;
      }
      Map<String, Object> item = (Map<String, Object>) path.getValue();
      List<Object> shared = (List<Object>) item.getOrDefault("parameters", List.of());
      for (String method : METHODS) {
        Map<String, Object> op = (Map<String, Object>) item.get(method);
        if (op == null) {
          continue;
        }
        List<Parameter> parameters = new ArrayList<>();
        List<Object> declared = new ArrayList<>(shared);
        declared.addAll((List<Object>) op.getOrDefault("parameters", List.of()));
        for (Object p : declared) {
          Map<String, Object> parameter = resolve((Map<String, Object>) p);
          parameters.add(
              new Parameter(
                  (String) parameter.get("name"),
                  (String) parameter.get("in"),
                  resolve((Map<String, Object>) parameter.getOrDefault("schema", Map.of()))));
        }
        String consumes = "application/json";
        String produces = "application/json";
        if (op.get("responses") instanceof Map<?, ?> responses) {
          for (Object answer : responses.values()) {
            if (answer instanceof Map<?, ?> a
                && a.get("content") instanceof Map<?, ?> content
                && !content.isEmpty()) {
              produces = String.valueOf(content.keySet().iterator().next());
              break;
            }
          }
        }
        Map<String, Object> body = null;
        Map<String, Object> requestBody = (Map<String, Object>) op.get("requestBody");
        if (requestBody != null) {
          Map<String, Object> content = (Map<String, Object>) requestBody.get("content");
          if (content != null && !content.isEmpty()) {
            if (!content.containsKey("application/json")) {
              consumes = content.keySet().iterator().next();
            }
            Map<String, Object> media =
                (Map<String, Object>)
                    content.getOrDefault("application/json", content.values().iterator().next());
            body = resolve((Map<String, Object>) media.getOrDefault("schema", Map.of()));
          }
        }
        Operation operation =
            new Operation(
                method,
                path.getKey(),
                parameters,
                body,
                requestBody != null || !method.equals("get") && !method.equals("delete"),
                consumes,
                produces);
        if (skipped.stream().noneMatch(s -> s.matcher(operation.name()).matches())) {
          operations.add(operation);
        }
      }
    }
    return operations;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> resolve(Map<String, Object> schema) {
    Map<String, Object> current = schema;
    for (int hops = 0;
        hops < 10 && current != null && current.get("$ref") instanceof String ref;
        hops++) {
      current = (Map<String, Object>) components.get(ref.substring(ref.lastIndexOf('/') + 1));
    }
    if (current != null && current.get("allOf") instanceof List<?> all && !all.isEmpty()) {
      Map<String, Object> merged = new LinkedHashMap<>(current);
      Map<String, Object> properties = new LinkedHashMap<>();
      for (Object part : all) {
        Map<String, Object> resolved = resolve((Map<String, Object>) part);
        if (resolved != null && resolved.get("properties") instanceof Map<?, ?> p) {
          properties.putAll((Map<String, Object>) p);
        }
      }
      merged.put("properties", properties);
      merged.put("type", "object");
      return merged;
    }
    return current == null ? Map.of() : current;
  }

  // --- the cases ------------------------------------------------------------------------------

  private List<Case> cases(Operation op) {
    List<Case> cases = new ArrayList<>();
    String validBody = op.hasBody() ? valid(op.bodySchema(), 0) : null;
    // As it is, with plausible values.
    cases.add(
        new Case(
            op.name(),
            op.method(),
            path(op, pathValues(op, null, null, true)),
            "",
            op.consumes(),
            validBody,
            request(op, Map.of(), "", null, "").token(),
            "plausible values",
            op.produces()));
    // Without a token, and with a token of a stranger's key: 401.
    cases.add(
        new Case(
            op.name(),
            op.method(),
            path(op, pathValues(op, null, null, false)),
            "",
            op.consumes(),
            validBody,
            null,
            "no token",
            op.produces()));
    cases.add(
        new Case(
            op.name(),
            op.method(),
            path(op, pathValues(op, null, null, false)),
            "",
            op.consumes(),
            validBody,
            Tokens.signedByStranger("mallory"),
            "untrusted token",
            op.produces()));
    // Each path parameter: every boundary value, percent-encoded or raw.
    for (Parameter p : of(op, "path")) {
      for (String value : PATH_VALUES) {
        cases.add(
            request(
                op,
                pathValues(op, p.name(), encode(value), false),
                "",
                validBody,
                "path " + p.name()));
      }
      for (String value : RAW_PATH_VALUES) {
        cases.add(request(op, pathValues(op, p.name(), value, false), "", validBody, "raw path"));
      }
    }
    // Each query parameter: every boundary value.
    for (Parameter p : of(op, "query")) {
      for (String value : QUERY_VALUES) {
        cases.add(
            request(
                op,
                pathValues(op, null, null, true),
                p.name() + "=" + encode(value),
                validBody,
                "query " + p.name()));
      }
    }
    if (op.hasBody()) {
      bodyCases(op, cases);
    }
    // Another method on the same path, an answer in a type the API does not speak, a path below.
    Map<String, String> plausible = pathValues(op, null, null, true);
    String token = request(op, plausible, "", null, "").token();
    for (String other : List.of("PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE")) {
      if (!other.equalsIgnoreCase(op.method())) {
        cases.add(
            new Case(
                op.name(),
                other,
                path(op, plausible),
                "",
                "application/json",
                validBody,
                token,
                "method " + other));
      }
    }
    cases.add(
        new Case(
            op.name(),
            op.method(),
            path(op, plausible),
            "",
            "application/json",
            validBody,
            token,
            "accept xml",
            "application/xml"));
    cases.add(
        request(op, Map.of(), "", validBody, "path below")
            .withPath(path(op, plausible) + "/x/%00"));
    for (int i = 0; i < randomCasesPerOperation; i++) {
      cases.add(randomCase(op, validBody));
    }
    return cases;
  }

  private void bodyCases(Operation op, List<Case> cases) {
    Map<String, String> path = pathValues(op, null, null, true);
    for (String body : MALFORMED_BODIES) {
      cases.add(request(op, path, "", body, "malformed body"));
    }
    Map<String, Object> properties = properties(op.bodySchema());
    for (String field : properties.keySet()) {
      for (String value : FIELD_VALUES) {
        cases.add(request(op, path, "", withField(op, field, value), "field " + field));
      }
    }
    cases.add(request(op, path, "", withField(op, "unknownField", "1"), "unknown field"));
    String deepArray = "[".repeat(10_000) + "]".repeat(10_000);
    String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
    cases.add(request(op, path, "", deepArray, "array nested 10k deep"));
    cases.add(request(op, path, "", deepObject, "object nested 10k deep"));
    String hugeArray = "[" + "1,".repeat(99_999) + "1]";
    cases.add(request(op, path, "", hugeArray, "100k-element array"));
    for (Map.Entry<String, Object> field : properties.entrySet()) {
      cases.add(
          request(op, path, "", withField(op, field.getKey(), hugeArray), "100k array field"));
      cases.add(
          request(
              op, path, "", withField(op, field.getKey(), deepObject), "field nested 10k deep"));
    }
    cases.add(
        request(
            op, path, "", "{\"a\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}", "over the limit"));
    cases.add(
        new Case(
            op.name(),
            op.method(),
            path(op, path),
            "",
            "text/plain",
            "hello",
            userToken,
            "wrong content type"));
  }

  private Case randomCase(Operation op, String validBody) {
    Map<String, String> path = new LinkedHashMap<>();
    for (Parameter p : of(op, "path")) {
      path.put(p.name(), randomPathValue(p));
    }
    StringBuilder query = new StringBuilder();
    for (Parameter p : of(op, "query")) {
      if (random.nextBoolean()) {
        if (!query.isEmpty()) {
          query.append('&');
        }
        query.append(p.name()).append('=').append(encode(pick(QUERY_VALUES)));
      }
    }
    if (random.nextInt(4) == 0) {
      query
          .append(query.isEmpty() ? "" : "&")
          .append("zz")
          .append(random.nextInt(100))
          .append("=1");
    }
    String body = validBody;
    if (op.hasBody()) {
      List<String> fields = new ArrayList<>(properties(op.bodySchema()).keySet());
      body =
          switch (random.nextInt(4)) {
            case 0 -> pick(MALFORMED_BODIES);
            case 1 -> randomJson(0);
            default ->
                fields.isEmpty()
                    ? randomJson(0)
                    : withField(
                        op,
                        pick(fields),
                        random.nextBoolean() ? pick(FIELD_VALUES) : randomJson(1));
          };
    }
    return request(op, path, query.toString(), body, "random");
  }

  private String randomPathValue(Parameter p) {
    List<String> known = knownPathValues.get(p.name());
    return switch (random.nextInt(5)) {
      case 0, 1 -> known != null ? pick(known) : UUID.randomUUID().toString();
      case 2 -> encode(pick(PATH_VALUES));
      case 3 -> pick(RAW_PATH_VALUES);
      default -> encode(randomString());
    };
  }

  private String randomJson(int depth) {
    int kind = depth > 3 ? random.nextInt(5) : random.nextInt(7);
    return switch (kind) {
      case 0 -> "null";
      case 1 -> String.valueOf(random.nextBoolean());
      case 2 ->
          random.nextBoolean()
              ? String.valueOf(random.nextLong())
              : String.valueOf(random.nextDouble() * 1e300);
      case 3, 4 -> quote(randomString());
      case 5 -> {
        StringBuilder out = new StringBuilder("[");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ",").append(randomJson(depth + 1));
        }
        yield out.append(']').toString();
      }
      default -> {
        StringBuilder out = new StringBuilder("{");
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          out.append(i == 0 ? "" : ",")
              .append(quote(randomString()))
              .append(':')
              .append(randomJson(depth + 1));
        }
        yield out.append('}').toString();
      }
    };
  }

  private String randomString() {
    int length = random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(40);
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(10);
      out.appendCodePoint(
          kind < 6
              ? 'a' + random.nextInt(26)
              : kind < 8
                  ? random.nextInt(0x80)
                  : kind < 9 ? 0x80 + random.nextInt(0x7000) : 0x1F600 + random.nextInt(0x40));
    }
    return out.toString();
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static List<Parameter> of(Operation op, String in) {
    return op.parameters().stream().filter(p -> in.equals(p.in())).toList();
  }

  /** Path values: the one named gets {@code value}; the others plausible (a known id, a UUID). */
  private Map<String, String> pathValues(
      Operation op, String name, String value, boolean preferKnown) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Parameter p : of(op, "path")) {
      if (p.name().equals(name)) {
        values.put(p.name(), value);
      } else {
        values.put(p.name(), plausible(p, preferKnown || random.nextBoolean()));
      }
    }
    return values;
  }

  private String plausible(Parameter p, boolean known) {
    List<String> real = knownPathValues.get(p.name());
    if (known && real != null) {
      return pick(real);
    }
    String type = String.valueOf(p.schema().get("type"));
    return type.equals("integer") || type.equals("number")
        ? String.valueOf(random.nextInt(3))
        : UUID.randomUUID().toString();
  }

  private Case request(
      Operation op, Map<String, String> pathValues, String query, String body, String what) {
    return new Case(
        op.name(),
        op.method(),
        path(op, pathValues),
        query,
        "application/json",
        body,
        op.path().contains("/admin/") ? operatorToken : userToken,
        what);
  }

  private static String path(Operation op, Map<String, String> values) {
    String path = op.path();
    for (Map.Entry<String, String> value : values.entrySet()) {
      path = path.replace("{" + value.getKey() + "}", value.getValue());
    }
    return path;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // --- bodies -----------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private Map<String, Object> properties(Map<String, Object> schema) {
    if (schema == null || !(schema.get("properties") instanceof Map<?, ?> properties)) {
      return Map.of();
    }
    return (Map<String, Object>) properties;
  }

  /** A body that the schema would accept, as far as types go. */
  @SuppressWarnings("unchecked")
  private String valid(Map<String, Object> raw, int depth) {
    Map<String, Object> schema = raw == null ? Map.of() : resolve(raw);
    if (schema.get("enum") instanceof List<?> values && !values.isEmpty()) {
      Object first = values.get(0);
      return first instanceof String s ? quote(s) : String.valueOf(first);
    }
    String type =
        String.valueOf(
            schema.getOrDefault("type", schema.containsKey("properties") ? "object" : ""));
    String format = String.valueOf(schema.get("format"));
    return switch (type) {
      case "string" ->
          switch (format) {
            case "uuid" -> quote(UUID.randomUUID().toString());
            case "date-time" -> quote("2026-01-01T00:00:00Z");
            case "date" -> quote("2026-01-01");
            case "uri", "url" -> quote("https://example.com/repo.git");
            default -> quote("x");
          };
      case "integer", "number" -> {
        Object minimum = schema.get("minimum");
        yield minimum instanceof Number n ? String.valueOf(n.longValue()) : "1";
      }
      case "boolean" -> "true";
      case "array" ->
          depth > 4
              ? "[]"
              : "["
                  + valid((Map<String, Object>) schema.getOrDefault("items", Map.of()), depth + 1)
                  + "]";
      case "object" -> {
        if (depth > 4) {
          yield "{}";
        }
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> property : properties(schema).entrySet()) {
          out.append(out.length() == 1 ? "" : ",")
              .append(quote(property.getKey()))
              .append(':')
              .append(valid((Map<String, Object>) property.getValue(), depth + 1));
        }
        yield out.append('}').toString();
      }
      default -> "{}";
    };
  }

  /** The plausible body of the operation with one field set to a raw JSON value. */
  @SuppressWarnings("unchecked")
  private String withField(Operation op, String field, String rawValue) {
    StringBuilder out = new StringBuilder("{");
    boolean set = false;
    for (Map.Entry<String, Object> property : properties(op.bodySchema()).entrySet()) {
      out.append(out.length() == 1 ? "" : ",").append(quote(property.getKey())).append(':');
      if (property.getKey().equals(field)) {
        out.append(rawValue);
        set = true;
      } else {
        out.append(valid((Map<String, Object>) property.getValue(), 1));
      }
    }
    if (!set) {
      out.append(out.length() == 1 ? "" : ",").append(quote(field)).append(':').append(rawValue);
    }
    return out.append('}').toString();
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    value
        .codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
              } else if (c < 0x20) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append('"').toString();
  }

  private static String abbreviate(String text) {
    return text.length() > 120 ? text.substring(0, 120) + "…(" + text.length() + " chars)" : text;
  }

  // --- sending and judging ----------------------------------------------------------------------

  private Failure send(Case c) {
    String base = RestAssured.baseURI + ":" + RestAssured.port;
    URI uri;
    try {
      uri = URI.create(base + c.path() + (c.query().isEmpty() ? "" : "?" + c.query()));
    } catch (IllegalArgumentException notAUri) {
      // A raw value no HTTP client can send (a lone '%'): nothing reached the server.
      return null;
    }
    HttpRequest.BodyPublisher body =
        c.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(c.body());
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("Accept", c.accept())
            .method(c.method().toUpperCase(Locale.ROOT), body);
    if (c.body() != null) {
      request.header("Content-Type", c.contentType());
    }
    if (c.token() != null) {
      request.header("Authorization", "Bearer " + c.token());
    }
    HttpResponse<String> response;
    try {
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException closedBeforeTheRequest) {
        // A kept-alive connection the server closed after an earlier answer (one it ends the
        // connection with, like a 413) fails the next request on it: send it once more, on a new
        // connection. A server that drops this very request fails again.
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      }
    } catch (java.io.IOException e) {
      if (c.body() != null && c.body().length() > 10 * 1024 * 1024) {
        // The server may close the connection on a body over its limit before reading it all.
        return null;
      }
      return new Failure(c, -1, "", String.valueOf(e.getMessage()), "no answer: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    int status = response.statusCode();
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    String text = response.body();
    if (status >= 500) {
      return new Failure(c, status, contentType, text, "a server error");
    }
    boolean bearerProtected =
        unauthenticated.stream().noneMatch(p -> p.matcher(c.operation()).matches());
    if (bearerProtected && (c.token() == null || c.what().equals("untrusted token"))) {
      if (status != 401) {
        return new Failure(c, status, contentType, text, "answered without a valid token");
      }
    }
    if (status >= 400 && text != null && !text.isEmpty()) {
      if (!contentType.startsWith("application/problem+json")) {
        return new Failure(c, status, contentType, text, "an error that is not problem+json");
      }
      String withoutEcho = text;
      if (c.body() != null && !c.body().isEmpty()) {
        withoutEcho = withoutEcho.replace(c.body(), "");
      }
      if (LEAK.matcher(withoutEcho).find()) {
        return new Failure(c, status, contentType, text, "leaks internals");
      }
    }
    return null;
  }
}
