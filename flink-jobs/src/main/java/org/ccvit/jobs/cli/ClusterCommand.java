/*
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 * http://www.apache.org/licenses/LICENSE-2.0
 */
package org.ccvit.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ccvit.infra.cluster.ClusterLibraries;
import org.ccvit.infra.cluster.LocalCluster;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A standalone Flink session cluster and a Kafka broker as processes on this machine. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = {
      "A standalone Flink session cluster (a JobManager and TaskManagers, each its own JVM) and a",
      "Kafka broker process on this machine; configuration, logs, pid files and data under --dir.",
      "Submit jobs to it with 'pretrain|codebook ... --jobmanager HOST:PORT' (the rest= address)."
    },
    subcommands = {
      ClusterCommand.Start.class,
      ClusterCommand.Status.class,
      ClusterCommand.AddTaskManager.class,
      ClusterCommand.Stop.class
    })
final class ClusterCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The folder option every subcommand has. */
  static final class DirOption {
    @Option(
        names = "--dir",
        defaultValue = "target/cluster",
        description = "The cluster's folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    LocalCluster open() throws Exception {
      return LocalCluster.open(dir, ClusterLibraries.fromSystemProperty());
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Start the broker, the JobManager and the TaskManagers; returns when the REST API and",
        "the broker answer and every TaskManager has registered. Prints rest=URL and kafka=HOST:PORT."
      })
  static final class Start implements Callable<Integer> {
    @CommandLine.Mixin DirOption dir;

    @Option(
        names = "--taskmanagers",
        defaultValue = "2",
        description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
    int taskManagers;

    @Option(
        names = "--slots",
        defaultValue = "1",
        description = "Slots per TaskManager (default: ${DEFAULT-VALUE}).")
    int slots;

    @Override
    public Integer call() throws Exception {
      LocalCluster cluster =
          LocalCluster.start(dir.dir, taskManagers, slots, ClusterLibraries.fromSystemProperty());
      cluster.status().forEach(System.out::println);
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Print rest=URL, kafka=HOST:PORT and the state of each process.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Mixin DirOption dir;

    @Override
    public Integer call() throws Exception {
      dir.open().status().forEach(System.out::println);
      return 0;
    }
  }

  @Command(
      name = "add-taskmanager",
      mixinStandardHelpOptions = true,
      description =
          "Start one more TaskManager (e.g. to replace a lost one); prints its resource id.")
  static final class AddTaskManager implements Callable<Integer> {
    @CommandLine.Mixin DirOption dir;

    @Override
    public Integer call() throws Exception {
      System.out.println("taskmanager=" + dir.open().addTaskManager());
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stop every process of the cluster; logs and Kafka data stay in --dir.")
  static final class Stop implements Callable<Integer> {
    @CommandLine.Mixin DirOption dir;

    @Override
    public Integer call() throws Exception {
      dir.open().stop();
      System.out.println("stopped the cluster in " + dir.dir.toAbsolutePath());
      return 0;
    }
  }
}
