/**
 * Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], not "." or
 * "..", and no two topics that differ only by '.' versus '_' (their metric
 * names would collide).
 */

const MAX_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Why the name is invalid, or null when it is valid. */
export function topicNameProblem(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name === "") return "Topic name is illegal, it can't be empty";
  if (name === "." || name === "..") return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** The name with '.' replaced by '_', used to detect colliding topic names. */
export function collisionKey(name: string): string {
  return name.replaceAll(".", "_");
}

/** Topics whose names start with "__" are Kafka's internal topics. */
export function isInternalTopic(name: string): boolean {
  return name === "__consumer_offsets" || name === "__transaction_state";
}
