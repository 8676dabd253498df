package io.paymentintents.gateway.web;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Puts {@link StripeErrorReportValve} in place of the host's {@link ErrorReportValve}s: Tomcat's own (named by
 * {@link StandardHost#setErrorReportValveClass}) and the one Spring Boot adds to hide stack traces. The swap happens
 * as the host starts, after every context customizer, so no HTML-writing valve is left whatever order they ran in.
 */
public class StripeErrorReportValveInstaller implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            Container host = context.getParent();
            if (host instanceof StandardHost standardHost) {
                standardHost.setErrorReportValveClass(StripeErrorReportValve.class.getName());
            }
            host.addLifecycleListener(event -> {
                if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                    install(host.getPipeline());
                }
            });
        });
    }

    static void install(Pipeline pipeline) {
        boolean installed = false;
        for (Valve valve : pipeline.getValves()) {
            if (valve instanceof StripeErrorReportValve) {
                installed = true;
            } else if (valve instanceof ErrorReportValve) {
                pipeline.removeValve(valve);
            }
        }
        if (!installed) {
            pipeline.addValve(new StripeErrorReportValve());
        }
    }
}
