// The `gan` command (GanProgram.Run: flags, exit codes).
return GanSharp.Cli.GanProgram.Run(args);
