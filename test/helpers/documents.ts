/** Hand-built hostile documents, kept apart from the pack helpers so that layer tests need not load the Pulumi SDK. */
/** A NodeConfig whose nine levels of aliases expand to 9^10 strings ("billion laughs"). */
export function aliasBomb(): string {
  const lines = ["apiVersion: node.eks.aws/v1alpha1", "kind: NodeConfig", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 0; i < 9; i++) {
    const [previous, next] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
    lines.push(`${next}: &${next} [${Array(9).fill(`*${previous}`).join(",")}]`);
  }
  return lines.join("\n");
}
