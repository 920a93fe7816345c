package dev.ipc.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ipc.core.ErrorCode;
import dev.ipc.core.model.EnumType;
import dev.ipc.core.model.Field;
import dev.ipc.core.model.FieldType;
import dev.ipc.core.model.Operation;
import dev.ipc.core.model.RecordType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Generates the OpenAPI 3.1 document of the served routes from the model, once at start. Records
 * and enums are components; every type is described as {@link JsonCodec} writes it: {@code float}
 * and {@code double} numbers, bytes a base64 string ({@code format: byte}), an enum a {@code $ref}
 * to a string enum, timestamps {@code date-time} and durations {@code duration} strings, decimals a
 * string (said in its description), maps objects with {@code additionalProperties}. An optional
 * field (a box or an {@code Optional}) may be null and is never {@code required}.
 */
final class OpenApi {
  private static final String DECIMAL_DESCRIPTION =
      "A decimal number as a string of its plain digits (\"12.50\"), so that no digit is lost to"
          + " binary floating point.";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** The name of the bearer-token security scheme. */
  static final String BEARER_AUTH = "bearerAuth";

  private OpenApi() {}

  static byte[] document(List<Route> routes) {
    ObjectNode doc = F.objectNode();
    doc.put("openapi", "3.1.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "ipc REST API");
    info.put("version", "1");
    info.put(
        "description",
        "Generated from the service model. Errors are application/problem+json (RFC 9457) with a `code`"
            + " member naming the error code.");
    ObjectNode paths = doc.putObject("paths");
    Components schemas = new Components();
    Set<String> tags = new HashSet<>();
    for (Route r : routes) {
      ObjectNode item =
          paths.has(r.template) ? (ObjectNode) paths.get(r.template) : paths.putObject(r.template);
      item.set(r.method.toLowerCase(Locale.ROOT), operation(r, schemas));
      tags.add(r.operation.service());
    }
    ObjectNode components = doc.putObject("components");
    ObjectNode schemaNodes = components.putObject("schemas");
    // Nested message types join the map while it is walked: loop until no new one appears.
    Map<String, RecordType<?>> done = new LinkedHashMap<>();
    while (done.size() < schemas.records.size()) {
      for (Map.Entry<String, RecordType<?>> e : new TreeMap<>(schemas.records).entrySet()) {
        if (done.putIfAbsent(e.getKey(), e.getValue()) == null) {
          schemaNodes.set(e.getKey(), objectSchema(e.getValue().fields(), Set.of(), schemas));
        }
      }
    }
    for (Map.Entry<String, EnumType> e : schemas.enums.entrySet()) {
      ObjectNode s = schemaNodes.putObject(e.getKey());
      s.put("type", "string");
      ArrayNode values = s.putArray("enum");
      e.getValue().values().forEach(values::add);
    }
    schemaNodes.set("Problem", problemSchema());
    if (routes.stream().anyMatch(r -> r.operation.requiresAuthentication())) {
      ObjectNode bearer = components.putObject("securitySchemes").putObject(BEARER_AUTH);
      bearer.put("type", "http");
      bearer.put("scheme", "bearer");
      bearer.put(
          "description",
          "Authorization: Bearer <token>, checked by the server's token verifier. Operations with a"
              + " `security` requirement need it when the server authenticates; the others are public, but a"
              + " token that is sent must be valid.");
    }
    ArrayNode tagList = doc.putArray("tags");
    tags.stream().sorted().forEach(t -> tagList.addObject().put("name", t));
    try {
      return JsonCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("writing the OpenAPI document", e);
    }
  }

  private static ObjectNode operation(Route r, Components schemas) {
    Operation<?, ?, ?> op = r.operation;
    ObjectNode o = F.objectNode();
    o.put(
        "operationId",
        op.service() + Character.toUpperCase(op.name().charAt(0)) + op.name().substring(1));
    o.put("summary", op.service() + "." + op.name());
    o.putArray("tags").add(op.service());
    if (op.requiresAuthentication()) {
      o.put(
          "description",
          op.roles().isEmpty()
              ? "Requires a bearer token."
              : "Requires a bearer token with role "
                  + String.join(" or ", op.roles().stream().sorted().toList())
                  + ".");
      o.putArray("security").addObject().putArray(BEARER_AUTH);
    }
    Set<String> pathFields = new HashSet<>();
    ArrayNode params = F.arrayNode();
    for (Field f : r.vars) {
      if (f != null) {
        pathFields.add(f.name());
        ObjectNode p = params.addObject();
        p.put("name", f.name());
        p.put("in", "path");
        p.put("required", true);
        p.set("schema", fieldSchema(f, schemas));
      }
    }
    boolean bodyless = r.method.equals("GET") || r.method.equals("DELETE");
    for (Field f : op.input().fields()) {
      if (bodyless && !pathFields.contains(f.name()) && f.type() != FieldType.MESSAGE && !f.map()) {
        ObjectNode p = params.addObject();
        p.put("name", f.name());
        p.put("in", "query");
        p.put("required", false);
        p.set("schema", fieldSchema(f, schemas));
      }
    }
    if (!params.isEmpty()) {
      o.set("parameters", params);
    }
    if (!bodyless && op.input().fields().size() > pathFields.size()) {
      ObjectNode body = o.putObject("requestBody");
      body.put("required", false);
      ObjectNode content = body.putObject("content");
      content
          .putObject("application/json")
          .set("schema", objectSchema(op.input().fields(), pathFields, schemas));
      ObjectNode form = F.objectNode();
      form.put("type", "object");
      form.put(
          "description",
          "The JSON object in the form field `data` (data={\"name\": \"task5\"}), or the fields as form fields.");
      form.putObject("properties").putObject("data").put("type", "string");
      content.putObject("application/x-www-form-urlencoded").set("schema", form);
    }
    ObjectNode responses = o.putObject("responses");
    ObjectNode success = F.objectNode();
    String ref = ref(op.output(), schemas);
    ObjectNode schema = F.objectNode();
    if (op.many()) {
      schema.put("type", "array");
      schema.putObject("items").put("$ref", ref);
    } else {
      schema.put("$ref", ref);
    }
    if (op.streaming()) {
      success.put(
          "description",
          "Server-Sent Events until the client leaves or the server closes: each value as `id: <id>` and"
              + " `data: <"
              + op.output().name()
              + " as JSON>`; a request with a `Last-Event-ID` header"
              + " resumes after that id (while the server still keeps it). A stream that fails ends with"
              + " `event: error` and `data: {\"code\":..,\"message\":..}`, e.g. RESOURCE_EXHAUSTED for a"
              + " client that fell behind.");
      ObjectNode events = success.putObject("content").putObject("text/event-stream");
      ObjectNode text = events.putObject("schema");
      text.put("type", "string");
      text.put(
          "description", "text/event-stream; each event's data is described by x-ipc-event-data");
      events.putObject("x-ipc-event-data").put("$ref", ref);
    } else {
      success.put("description", "OK");
      success.putObject("content").putObject("application/json").set("schema", schema);
    }
    responses.set("200", success);
    if (r.method.equals("PUT") || r.method.equals("POST")) {
      ObjectNode created = success.deepCopy();
      created.put("description", "Created");
      created.putObject("headers").putObject("Location").putObject("schema").put("type", "string");
      responses.set("201", created);
    }
    if (op.requiresAuthentication()) {
      responses.set(
          "401",
          problemResponse(
              "No valid bearer token (WWW-Authenticate: Bearer, with error=\"invalid_token\" when one was sent)"));
      if (!op.roles().isEmpty()) {
        responses.set("403", problemResponse("The token's principal lacks the role"));
      }
    }
    ObjectNode error = responses.putObject("default");
    error.put("description", "An error, as RFC 9457 problem details");
    error
        .putObject("content")
        .putObject("application/problem+json")
        .putObject("schema")
        .put("$ref", "#/components/schemas/Problem");
    return o;
  }

  private static ObjectNode problemResponse(String description) {
    ObjectNode r = F.objectNode();
    r.put("description", description);
    r.putObject("content")
        .putObject("application/problem+json")
        .putObject("schema")
        .put("$ref", "#/components/schemas/Problem");
    return r;
  }

  /** The named types the document's components describe, collected while the paths are written. */
  private static final class Components {
    final Map<String, RecordType<?>> records = new TreeMap<>();
    final Map<String, EnumType> enums = new TreeMap<>();
  }

  private static String ref(RecordType<?> type, Components schemas) {
    schemas.records.putIfAbsent(type.name(), type);
    return "#/components/schemas/" + type.name();
  }

  private static String ref(EnumType type, Components schemas) {
    schemas.enums.putIfAbsent(type.name(), type);
    return "#/components/schemas/" + type.name();
  }

  private static ObjectNode objectSchema(List<Field> fields, Set<String> skip, Components schemas) {
    ObjectNode s = F.objectNode();
    s.put("type", "object");
    ObjectNode props = s.putObject("properties");
    ArrayNode required = F.arrayNode();
    for (Field f : fields) {
      if (skip.contains(f.name())) {
        continue;
      }
      props.set(f.name(), fieldSchema(f, schemas));
      if (f.nonNull()) {
        required.add(f.name());
      }
    }
    if (!required.isEmpty()) {
      s.set("required", required);
    }
    return s;
  }

  private static ObjectNode fieldSchema(Field f, Components schemas) {
    ObjectNode element = F.objectNode();
    switch (f.type()) {
      case STRING -> element.put("type", "string");
      case BOOL -> element.put("type", "boolean");
      case INT32 -> element.put("type", "integer").put("format", "int32");
      case INT64 -> element.put("type", "integer").put("format", "int64");
      case FLOAT -> element.put("type", "number").put("format", "float");
      case DOUBLE -> element.put("type", "number").put("format", "double");
      case BYTES ->
          element.put("type", "string").put("format", "byte").put("contentEncoding", "base64");
      case ENUM -> element.put("$ref", ref(f.enumType(), schemas));
      case TIMESTAMP -> element.put("type", "string").put("format", "date-time");
      case DURATION -> element.put("type", "string").put("format", "duration");
      case DECIMAL ->
          element
              .put("type", "string")
              .put("format", "decimal")
              .put("description", DECIMAL_DESCRIPTION);
      case MESSAGE -> element.put("$ref", ref(f.messageType(), schemas));
    }
    if (f.repeated()) {
      ObjectNode array = F.objectNode();
      array.put("type", "array");
      array.set("items", element);
      return array;
    }
    if (f.map()) {
      ObjectNode map = F.objectNode();
      map.put("type", "object");
      map.set("additionalProperties", element);
      return map;
    }
    return f.optional() ? nullable(element) : element;
  }

  /** Returns {@code schema} that also allows null (JSON Schema 2020-12, as OpenAPI 3.1 uses it). */
  private static ObjectNode nullable(ObjectNode schema) {
    if (schema.has("$ref")) {
      ObjectNode any = F.objectNode();
      any.putArray("anyOf").add(schema).addObject().put("type", "null");
      return any;
    }
    String type = schema.get("type").textValue();
    schema.putArray("type").add(type).add("null");
    return schema;
  }

  private static ObjectNode problemSchema() {
    ObjectNode s = F.objectNode();
    s.put("type", "object");
    ObjectNode props = s.putObject("properties");
    props.putObject("type").put("type", "string");
    props.putObject("title").put("type", "string");
    props.putObject("status").put("type", "integer");
    props.putObject("detail").put("type", "string");
    ObjectNode code = props.putObject("code");
    code.put("type", "string");
    ArrayNode values = code.putArray("enum");
    for (ErrorCode c : ErrorCode.values()) {
      values.add(c.name());
    }
    s.putArray("required").add("status").add("code");
    return s;
  }
}
