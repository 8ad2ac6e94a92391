package dev.remoteclaude.gateway.git;

import dev.remoteclaude.api.GitRequests;
import dev.remoteclaude.common.problem.ProblemException;

/**
 * What the gateway lets through to git: branch names by the rules of {@code git check-ref-format
 * --branch}, start points that cannot be read as options, and commit messages without control
 * characters (other than line breaks and tabs) and of bounded length.
 */
final class GitNames {
  private GitNames() {}

  /** The reason {@code name} is not a valid branch name, or null when it is. */
  static String branchProblem(String name) {
    if (name == null || name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > GitRequests.MAX_NAME) {
      return "must be at most " + GitRequests.MAX_NAME + " characters";
    }
    if (name.startsWith("-")) {
      return "must not start with '-'";
    }
    if (name.equals("@") || name.equals("HEAD")) {
      return "'" + name + "' is not a branch name";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "must not contain control characters";
      }
      if (c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '['
          || c == '\\') {
        return "must not contain spaces or any of ~ ^ : ? * [ \\";
      }
    }
    if (name.contains("..")) {
      return "must not contain '..'";
    }
    if (name.contains("@{")) {
      return "must not contain '@{'";
    }
    if (name.startsWith("/") || name.endsWith("/") || name.contains("//")) {
      return "must not start or end with '/' or contain '//'";
    }
    if (name.endsWith(".")) {
      return "must not end with '.'";
    }
    for (String component : name.split("/")) {
      if (component.startsWith(".")) {
        return "no part of it may start with '.'";
      }
      if (component.endsWith(".lock")) {
        return "no part of it may end with '.lock'";
      }
    }
    return null;
  }

  /** Checks a branch name; a 400 problem on {@code field} when it is not valid. */
  static String branch(String field, String name) {
    String problem = branchProblem(name);
    if (problem != null) {
      throw ProblemException.badRequest(field, problem);
    }
    return name;
  }

  /**
   * Checks a start point (a branch, tag, remote branch or commit, possibly with {@code ~N}/{@code
   * ^}): nothing git could read as an option, no control characters.
   */
  static String startPoint(String field, String revision) {
    if (revision.isEmpty() || revision.length() > GitRequests.MAX_NAME) {
      throw ProblemException.badRequest(
          field, "must be 1 to " + GitRequests.MAX_NAME + " characters");
    }
    if (revision.startsWith("-")) {
      throw ProblemException.badRequest(field, "must not start with '-'");
    }
    for (int i = 0; i < revision.length(); i++) {
      char c = revision.charAt(i);
      if (c <= 0x20 || c == 0x7f || c == ':' || c == '\\' || c == '?' || c == '*' || c == '[') {
        throw ProblemException.badRequest(
            field, "must not contain spaces, control characters or any of : \\ ? * [");
      }
    }
    return revision;
  }

  /** Checks a commit message: not blank, bounded, no control characters but newlines and tabs. */
  static String message(String field, String message) {
    if (message.isBlank()) {
      throw ProblemException.badRequest(
          field, "must not be blank (leave it out to have one written)");
    }
    if (message.length() > GitRequests.MAX_MESSAGE) {
      throw ProblemException.badRequest(
          field, "must be at most " + GitRequests.MAX_MESSAGE + " characters");
    }
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
        throw ProblemException.badRequest(field, "must not contain control characters");
      }
    }
    return message;
  }
}
