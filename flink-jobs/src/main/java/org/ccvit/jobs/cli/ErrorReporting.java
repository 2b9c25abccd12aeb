/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How the command line reports failures: a user's mistake (a bad path, a file of the wrong kind, a
 * refused option or configuration) is one line {@code ccvit <command>: <reason>} and exit code 2,
 * as command-line tools do; {@code --verbose} or {@code CCVIT_DEBUG=1} adds the stack trace.
 * Anything else is an internal failure and keeps its trace (exit code 1).
 */
final class ErrorReporting implements IExecutionExceptionHandler, IParameterExceptionHandler {

  static final String VERBOSE = "--verbose";
  static final int USER_ERROR = CommandLine.ExitCode.USAGE;

  private final boolean debugFromEnvironment;

  ErrorReporting(boolean debugFromEnvironment) {
    this.debugFromEnvironment = debugFromEnvironment;
  }

  /** Installs both handlers; {@code CCVIT_DEBUG=1} in the environment turns traces on. */
  static CommandLine install(CommandLine commandLine) {
    ErrorReporting reporting = new ErrorReporting("1".equals(System.getenv("CCVIT_DEBUG")));
    return commandLine
        .setExecutionExceptionHandler(reporting)
        .setParameterExceptionHandler(reporting);
  }

  @Override
  public int handleExecutionException(
      Exception failure, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    Optional<String> reason = userMistake(failure);
    if (reason.isEmpty()) {
      failure.printStackTrace(err);
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    err.println(command.getCommandSpec().qualifiedName() + ": " + reason.get());
    if (verbose(parseResult)) {
      failure.printStackTrace(err);
    }
    err.flush();
    return USER_ERROR;
  }

  @Override
  public int handleParseException(ParameterException mistake, String[] args) {
    CommandLine command = mistake.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    command.getErr().println(name + ": " + mistake.getMessage() + " (see '" + name + " --help')");
    command.getErr().flush();
    return USER_ERROR;
  }

  /**
   * The reason to show when {@code failure} (or what it wraps, e.g. a Flink job's failure) is a
   * user's mistake: an invalid argument, including a refused codebook or configuration, or a file
   * that is missing or unreadable.
   */
  static Optional<String> userMistake(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException missing) {
        return Optional.of("no such file: " + missing.getFile());
      }
      if (t instanceof AccessDeniedException denied) {
        return Optional.of("permission denied: " + denied.getFile());
      }
      if (t instanceof IllegalArgumentException || t instanceof FileNotFoundException) {
        return Optional.of(String.valueOf(t.getMessage()));
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return Optional.empty();
  }

  private boolean verbose(ParseResult parseResult) {
    for (ParseResult level = parseResult; level != null; level = level.subcommand()) {
      if (level.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return debugFromEnvironment;
  }
}
