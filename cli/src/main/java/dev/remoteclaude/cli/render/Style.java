package dev.remoteclaude.cli.render;

/**
 * How output looks on this terminal: Unicode symbols when the output encoding can show them (ASCII
 * otherwise), ANSI colours only on a colour terminal ({@code NO_COLOR} turns them off).
 */
public record Style(boolean unicode, boolean color) {

  public static Style plain() {
    return new Style(true, false);
  }

  public static Style ascii() {
    return new Style(false, false);
  }

  public String ok() {
    return unicode ? "✓" : "OK";
  }

  public String fail() {
    return unicode ? "✗" : "x";
  }

  public String bullet() {
    return unicode ? "●" : "*";
  }

  public String step() {
    return unicode ? "▸" : ">";
  }

  public String tool() {
    return unicode ? "⏺" : "*";
  }

  public String result() {
    return unicode ? "⎿" : "|";
  }

  public String thinking() {
    return unicode ? "✻" : "~";
  }

  public String notice() {
    return "!";
  }

  public String ellipsis() {
    return unicode ? "…" : "...";
  }

  public String arrow() {
    return unicode ? "→" : "->";
  }

  public String dash() {
    return unicode ? "–" : "-";
  }

  public String dot() {
    return unicode ? "·" : "-";
  }

  public String bold(String text) {
    return paint("1", text);
  }

  public String dim(String text) {
    return paint("2", text);
  }

  public String red(String text) {
    return paint("31", text);
  }

  public String green(String text) {
    return paint("32", text);
  }

  public String yellow(String text) {
    return paint("33", text);
  }

  public String cyan(String text) {
    return paint("36", text);
  }

  private String paint(String code, String text) {
    return color && !text.isEmpty() ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
  }
}
