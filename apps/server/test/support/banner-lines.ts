/**
 * The `authctl` command lines `auth-server --dev` prints on stderr, as the
 * argv a shell would pass to authctl. The tests run these, not lines of their
 * own, so what a newcomer is told to type is what is proven to work.
 */
export class BannerLines {
  private constructor(private readonly lines: string[][]) {}

  static parse(stderr: string): BannerLines {
    const lines = stderr
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.startsWith('authctl '))
      .map((line) => {
        // Plain words only: then splitting on spaces is exactly what a shell does.
        if (/['"`\\$|;&<>(){}*?]/.test(line)) throw new Error(`banner line needs a shell to read it: ${line}`);
        return line.split(/\s+/).slice(1);
      });
    return new BannerLines(lines);
  }

  /** The one printed line whose arguments start with `prefix` (e.g. `['configure', '--profile', 'dev']`). */
  startingWith(...prefix: string[]): string[] {
    const found = this.lines.filter((argv) => prefix.every((word, i) => argv[i] === word));
    if (found.length !== 1) {
      throw new Error(`expected one banner line \`authctl ${prefix.join(' ')} …\`, found ${found.length} in:\n${this.toString()}`);
    }
    return found[0]!;
  }

  /** `argv`, after checking that the banner prints exactly this line. */
  exactly(...argv: string[]): string[] {
    if (!this.lines.some((line) => line.join(' ') === argv.join(' '))) {
      throw new Error(`the banner does not print \`authctl ${argv.join(' ')}\`; it prints:\n${this.toString()}`);
    }
    return argv;
  }

  toString(): string {
    return this.lines.map((argv) => `authctl ${argv.join(' ')}`).join('\n');
  }
}
