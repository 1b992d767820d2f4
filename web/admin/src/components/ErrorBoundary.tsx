import { Component, type ErrorInfo, type ReactNode } from "react";

/** A page that fails to render says so in words instead of leaving a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { failed: boolean; key: string }> {
  override state = { failed: false, key: this.props.resetKey };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { failed: boolean; key: string }) {
    return props.resetKey === state.key ? null : { failed: false, key: props.resetKey };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("the page failed to render", error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div role="alert" className="space-y-3">
        <h1 className="text-2xl font-bold text-white">This page could not be shown</h1>
        <p>
          Something went wrong in the dashboard; nothing was changed.{" "}
          <a href={window.location.pathname} className="underline">
            Try again
          </a>
          .
        </p>
      </div>
    );
  }
}
