/** Infrastructure for local runs: an in-process Kafka broker. */
package org.ccvit.infra;
