package dev.ipc.graphql;

import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Keeps parsed and validated documents by query text, so a repeated query skips parsing, validation
 * and the limit checks. Failed documents are kept too: a client repeating a bad query costs no more
 * than a good one. Bounded: past {@code capacity} entries an arbitrary one is dropped. Thread-safe.
 */
final class DocumentCache implements PreparsedDocumentProvider {
  /** GraphQLContext key of the entry the transport already looked up for this request. */
  static final String ENTRY = "dev.ipc.graphql.document";

  private final ConcurrentHashMap<String, PreparsedDocumentEntry> entries = new ConcurrentHashMap<>();
  private final int capacity;
  private final Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  DocumentCache(int capacity, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
    this.capacity = capacity;
    this.parseAndValidate = parseAndValidate;
  }

  /** Returns the entry for the input's query, parsing and validating it on a miss. */
  PreparsedDocumentEntry entry(ExecutionInput input) {
    String query = input.getQuery();
    PreparsedDocumentEntry entry = entries.get(query);
    if (entry != null) {
      hits.increment();
      return entry;
    }
    misses.increment();
    entry = parseAndValidate.apply(input);
    if (capacity > 0) {
      if (entries.size() >= capacity) {
        Iterator<String> it = entries.keySet().iterator();
        if (it.hasNext()) {
          it.next();
          it.remove();
        }
      }
      entries.putIfAbsent(query, entry);
    }
    return entry;
  }

  @Override
  public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
      ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> ignored) {
    PreparsedDocumentEntry known = input.getGraphQLContext().get(ENTRY);
    return CompletableFuture.completedFuture(known != null ? known : entry(input));
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  int size() {
    return entries.size();
  }
}
